"""Draw the installable app's icons (app/static/icons/icon-192.png, icon-512.png) with Pillow.

The brand blue of site.css with a white open book and "số" under it; run again only to
change the design: the PNGs are committed.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = (11, 83, 148)  # --brand in app/static/site.css
OUT = Path(__file__).resolve().parents[1] / "app" / "static" / "icons"


def _font(size: int):
    try:
        import fontpkg  # fontpkg-be-vietnam-pro, already a dependency (certificates' PDF)
        return ImageFont.truetype(fontpkg.path("Be Vietnam Pro", weight="bold"), size)
    except Exception:  # noqa: BLE001 - the book alone still makes an icon
        return None


def icon(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), BRAND)  # full bleed: a "maskable" icon
    draw = ImageDraw.Draw(image)
    s = size / 192
    # An open book in the safe zone (the middle 80 %), two pages and a spine.
    draw.polygon([(40 * s, 62 * s), (94 * s, 72 * s), (94 * s, 132 * s), (40 * s, 122 * s)], fill="white")
    draw.polygon([(152 * s, 62 * s), (98 * s, 72 * s), (98 * s, 132 * s), (152 * s, 122 * s)], fill="white")
    for i in range(3):
        y = (84 + 14 * i) * s
        draw.line([(50 * s, y - 2 * s), (86 * s, y + 5 * s)], fill=BRAND, width=max(1, round(3 * s)))
        draw.line([(142 * s, y - 2 * s), (106 * s, y + 5 * s)], fill=BRAND, width=max(1, round(3 * s)))
    font = _font(round(30 * s))
    if font is not None:
        draw.text((96 * s, 150 * s), "số", fill="white", font=font, anchor="mm")
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)
        print(OUT / f"icon-{size}.png")
