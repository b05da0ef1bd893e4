# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/marquee.md,
# "Common Patterns > Updating Ticker Dynamically".
from pywry import Button, Marquee, PyWry, TickerItem, Toolbar

app = PyWry()


def on_refresh_prices(data, event_type, label):
    # Simulate updated prices
    new_prices = [
        {"symbol": "AAPL", "price": 186.50, "change": 1.8},
        {"symbol": "GOOGL", "price": 142.20, "change": -0.2},
        {"symbol": "MSFT", "price": 380.00, "change": 1.1},
    ]
    new_items = [
        TickerItem(
            ticker=p["symbol"],
            text=f"{p['symbol']} ${p['price']:.2f} {'+' if p['change'] > 0 else ''}{p['change']:.1f}%",
            class_name="stock-up" if p["change"] > 0 else "stock-down",
        )
        for p in new_prices
    ]
    app.emit(
        "toolbar:marquee-set-content",
        {
            "id": "stock-ticker",
            "text": " ".join(item.build_html() for item in new_items),
        },
        label,
    )
    app.emit("pywry:alert", {"message": "Prices refreshed!", "type": "success"}, label)


app.show(
    "<h1>Stock Dashboard</h1>",
    toolbars=[
        Toolbar(
            position="header",
            items=[
                Marquee(
                    component_id="stock-ticker",
                    text=" ".join(
                        TickerItem(ticker=s, text=f"{s} --").build_html()
                        for s in ["AAPL", "GOOGL", "MSFT"]
                    ),
                )
            ],
        ),
        Toolbar(
            position="top",
            items=[Button(label="Refresh Prices", event="prices:refresh", variant="primary")],
        ),
    ],
    callbacks={"prices:refresh": on_refresh_prices},
)
