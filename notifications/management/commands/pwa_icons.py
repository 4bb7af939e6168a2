"""Draw the PWA icons (site/static/icons/icon-*.png) from the logo's design with Pillow.

The logo (site/static/icons/logo.svg) is a blue card with a yellow band and a white
heart; the icons redraw it at each size, the maskable ones with the card inside the
80 % safe zone on a full blue background. Run after changing the design:
``manage.py pwa_icons``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

BLUE = (0, 23, 193, 255)
YELLOW = (255, 212, 61, 255)
WHITE = (255, 255, 255, 255)
SIZES = [(192, False), (512, False), (192, True), (512, True), (180, False)]


def draw_icon(size: int, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then downsample for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), BLUE if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # The logo's 64-unit viewBox inside the icon (maskable: inside the 80 % safe zone).
    box = big * (0.62 if maskable else 0.96)
    unit = box / 64
    left = (big - box) / 2
    top = (big - box) / 2

    def xy(x, y):
        return (left + x * unit, top + y * unit)

    card = BLUE if not maskable else (0, 17, 143, 255)
    draw.rounded_rectangle([xy(2, 10), xy(62, 54)], radius=8 * unit, fill=card)
    if maskable:
        draw.rounded_rectangle([xy(2, 10), xy(62, 54)], radius=8 * unit, outline=WHITE,
                               width=max(int(unit * 1.5), 1))
    draw.rectangle([xy(2, 20), xy(62, 27)], fill=YELLOW)
    # The heart: two circles and a triangle.
    r = 7 * unit
    for cx in (25, 39):
        x, y = xy(cx, 29)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=WHITE)
    draw.polygon([xy(18.3, 31), xy(45.7, 31), xy(32, 45)], fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


class Command(BaseCommand):
    help = "Draw the PWA icons into site/static/icons/."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "site" / "static" / "icons"
        for size, maskable in SIZES:
            name = f"icon-{'maskable-' if maskable else ''}{size}.png"
            if size == 180:
                name = "apple-touch-icon.png"
                image = Image.new("RGBA", (size, size), WHITE)
                image.alpha_composite(draw_icon(size, False))
                image = image.convert("RGB")
            else:
                image = draw_icon(size, maskable)
            image.save(folder / name, optimize=True)
            self.stdout.write(str(folder / name))
