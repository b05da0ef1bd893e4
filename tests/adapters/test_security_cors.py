"""Security of the JSON API routes: CORS as configured (never on pages, the bridge script or
sockets), the internal API header, and a forged goodbye that changes nothing."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from pywry import PyWry, SettingsError, WindowMode
from pywry.adapters.http.cors import CorsPolicy
from security_kit import open_socket, root_of

pytestmark = pytest.mark.server


# -------------------------------------------------------------------- CORS


def acao(response: httpx.Response) -> str | None:
    return response.headers.get("access-control-allow-origin")


def test_the_api_routes_answer_cross_origin_calls_with_the_default_wildcard(make_app):
    app = make_app(internal_api_token="api-secret")
    handle = app.show("<p/>", label="c")
    root = root_of(handle.url)
    origin = {"Origin": "http://tool.example"}
    health = httpx.get(root + "/health", headers={**origin, "X-PyWry-Token": "api-secret"})
    assert (health.status_code, acao(health)) == (200, "*")
    assert "access-control-allow-credentials" not in health.headers
    preflight = httpx.options(
        root + "/register_widget",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-PyWry-Token, Content-Type",
        },
    )
    assert preflight.status_code == 204
    assert acao(preflight) == "*"
    assert preflight.headers["access-control-allow-methods"] == "POST"
    assert preflight.headers["access-control-allow-headers"] == "x-pywry-token, content-type"
    # Without the internal token the answer is still the 404 of a route that is not there.
    hidden = httpx.get(root + "/health", headers=origin)
    assert hidden.status_code == 404


def test_cors_settings_are_honoured_on_the_api(make_app):
    app = make_app(
        internal_api_token="api-secret",
        cors_origins=["http://tool.example"],
        cors_allow_methods=["GET", "POST"],
        cors_allow_headers=["X-PyWry-Token"],
        cors_allow_credentials=True,
    )
    handle = app.show("<p/>", label="c")
    root = root_of(handle.url)
    listed = {"Origin": "http://tool.example"}
    health = httpx.get(root + "/health", headers={**listed, "X-PyWry-Token": "api-secret"})
    assert acao(health) == "http://tool.example"
    assert health.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in health.headers.get_list("vary")
    ask = {**listed, "Access-Control-Request-Method": "POST"}
    ok = httpx.options(
        root + "/disconnect/c", headers={**ask, "Access-Control-Request-Headers": "x-pywry-token"}
    )
    assert ok.status_code == 204
    assert acao(ok) == "http://tool.example"
    assert ok.headers["access-control-allow-methods"] == "GET, POST"
    assert ok.headers["access-control-allow-headers"] == "x-pywry-token"
    assert ok.headers["access-control-allow-credentials"] == "true"
    refused = [
        httpx.options(root + "/health", headers={**ask, "Origin": "http://evil.example"}),
        httpx.options(root + "/health", headers={**ask, "Access-Control-Request-Method": "PUT"}),
        httpx.options(root + "/health", headers={**ask, "Access-Control-Request-Headers": "x-a"}),
    ]
    for response in refused:
        assert response.status_code == 400
        assert acao(response) is None
    other = httpx.get(
        root + "/health", headers={"Origin": "http://evil.example", "X-PyWry-Token": "api-secret"}
    )
    assert (other.status_code, acao(other)) == (200, None)


@pytest.mark.parametrize("origins", [["*"], ["http://tool.example"]])
def test_pages_the_bridge_script_sockets_and_unknown_routes_never_send_cors_headers(
    make_app, origins
):
    app = make_app(cors_origins=origins)
    handle = app.show("<p>secret page</p>", label="c")
    root = root_of(handle.url)
    page = httpx.get(handle.url)
    script = page.text.split('<script src="')[1].split('"')[0].replace("&amp;", "&")
    origin = {"Origin": "http://tool.example"}
    ask = {**origin, "Access-Control-Request-Method": "GET"}
    answers = [
        httpx.get(handle.url, headers=origin),
        httpx.options(handle.url, headers=ask),
        httpx.get(root + script, headers=origin),
        httpx.options(root + script, headers=ask),
        httpx.get(root + "/widget/nobody", headers=origin),
        httpx.get(root + "/nothing", headers=origin),
        httpx.get(root + "/ws/c", headers=origin),
    ]
    for response in answers:
        leaked = [k for k in response.headers if k.lower().startswith("access-control-")]
        assert (str(response.request.url), leaked) == (str(response.request.url), [])


def test_the_wildcard_origin_with_credentials_is_refused_naming_keys_and_sources(
    monkeypatch: pytest.MonkeyPatch,
):
    with pytest.raises(SettingsError) as caught:
        PyWry(mode=WindowMode.BROWSER, settings={"server": {"cors_allow_credentials": True}})
    message = str(caught.value)
    assert "server.cors_allow_credentials = true (from PyWry(settings=...))" in message
    assert "server.cors_origins = ['*'] (from the defaults)" in message
    assert "list the origins" in message
    monkeypatch.setenv("PYWRY_SERVER__CORS_ORIGINS", "http://a.example,*")
    monkeypatch.setenv("PYWRY_SERVER__CORS_ALLOW_CREDENTIALS", "true")
    with pytest.raises(SettingsError, match="environment variable PYWRY_SERVER__CORS_ORIGINS"):
        PyWry(mode=WindowMode.BROWSER)
    monkeypatch.setenv("PYWRY_SERVER__CORS_ORIGINS", "http://a.example")
    assert PyWry(mode=WindowMode.BROWSER).settings.server.cors_allow_credentials


def test_the_cors_policy_itself_refuses_the_wildcard_with_credentials():
    with pytest.raises(SettingsError, match="cors_allow_credentials"):
        CorsPolicy(origins=[" * "], methods=["*"], headers=["*"], credentials=True)


# ------------------------------------------------------------ internal API


def test_the_internal_api_header_name_is_configurable_and_the_token_per_process(make_app):
    named = make_app(internal_api_header="X-Tool-Key", internal_api_token="k")
    root = root_of(named.show("<p/>", label="a").url)
    assert httpx.get(root + "/health", headers={"X-PyWry-Token": "k"}).status_code == 404
    assert httpx.get(root + "/health", headers={"X-Tool-Key": "k"}).status_code == 200
    first, second = make_app(), make_app()
    roots = [root_of(app.show("<p/>", label="a").url) for app in (first, second)]
    tokens = [app.container.internal_token().reveal() for app in (first, second)]
    assert tokens[0] != tokens[1]
    assert min(len(t) for t in tokens) >= 40
    assert httpx.get(roots[0] + "/health", headers={"X-PyWry-Token": tokens[1]}).status_code == 404
    assert httpx.get(roots[0] + "/health", headers={"X-PyWry-Token": tokens[0]}).status_code == 200


def test_a_forged_disconnect_fires_no_callback_and_leaves_block_waiting(make_app):
    app = make_app(reconnect_grace=0.2)
    goodbyes: list[Any] = []
    handle = app.show("<p/>", label="d", callbacks={"pywry:disconnect": goodbyes.append})
    url = root_of(handle.url) + "/disconnect/d"
    with open_socket(app, "d", query="?page=p1"):
        returned = threading.Event()
        threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True).start()
        for body in ({"page": "p1"}, {"token": "nope", "page": "p1"}, {"token": None}):
            assert httpx.post(url, content=json.dumps(body)).status_code == 403
        assert httpx.post(url, content=b"\xff not json").status_code == 403
        assert not returned.wait(0.5)
        assert goodbyes == []
        assert app.get_labels() == ["d"]
    assert returned.wait(5)
