"""QR codes that mobile teams print at a housing location: scan -> subscribe to its visit announcements.

The code opens the Telegram bot with `?start=loc_<code>` (TELEGRAM_BOT_USERNAME), WhatsApp with the
pre-filled first message `/start loc_<code>` (WHATSAPP_DISPLAY_NUMBER), or the web chat with
`?start=loc_<code>`. The caption says what the code does in all six languages.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont

from core.content.help_messages import QR_CAPTION
from core.i18n import LANGUAGES, gettext, use_locale

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def deep_link(code: str, telegram_bot: str | None, public_url: str, whatsapp_number: str | None = None) -> str:
    """Telegram's start parameter, WhatsApp's pre-filled first message, or the web chat's ?start=."""
    if whatsapp_number:
        digits = "".join(c for c in whatsapp_number if c.isdigit())
        return f"https://wa.me/{digits}?text=%2Fstart%20loc_{code}"
    if telegram_bot:
        return f"https://t.me/{telegram_bot.lstrip('@')}?start=loc_{code}"
    return f"{public_url.rstrip('/')}/?start=loc_{code}"


#: Where a code can lead, and the setting each needs (the web chat needs none: WINBOT_PUBLIC_URL has a default).
CHANNELS = ("telegram", "whatsapp", "web")


class QrError(ValueError):
    """A code for a channel that is not configured; the message names the setting."""


def link_for(code: str, channel: str | None, *, telegram_bot: str | None, whatsapp_number: str | None,
             public_url: str) -> str:
    """The link a location's code opens: ``channel`` or, when None, Telegram if the bot's name is set, else the
    web chat."""
    channel = channel or ("telegram" if telegram_bot else "web")
    if channel not in CHANNELS:
        raise QrError(f"the channel must be one of {', '.join(CHANNELS)}")
    if channel == "telegram" and not telegram_bot:
        raise QrError("set TELEGRAM_BOT_USERNAME to make a telegram QR code")
    if channel == "whatsapp" and not whatsapp_number:
        raise QrError("set WHATSAPP_DISPLAY_NUMBER to make a whatsapp QR code")
    return deep_link(code, telegram_bot if channel == "telegram" else None, public_url,
                     whatsapp_number if channel == "whatsapp" else None)


def captions() -> list[str]:
    lines = []
    for language in LANGUAGES:
        with use_locale(language):
            lines.append(gettext(QR_CAPTION))
    return lines


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def _svg_code(link: str) -> tuple[str, int]:
    """The code alone as an SVG document (black paths, no caption) and its width in pixels."""
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=4)
    return image.to_string(encoding="unicode"), int(float(image.pixel_size))


def qr_svg(link: str) -> str:
    """The code alone as an inline ``<svg>`` element (no XML declaration), for a page that adds its own caption."""
    body, _size = _svg_code(link)
    return body[body.index("<svg"):]


def write_qr(code: str, link: str, location_name: str, out_dir: Path) -> tuple[Path, Path]:
    """Write `<code>.png` and `<code>.svg` into out_dir; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = [location_name, *captions(), link]

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12, border=4)
    qr.add_data(link)
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    font = _font(22)
    line_height = 32
    width = max(image.width, 40 + max(int(font.getlength(line)) for line in lines))
    canvas = Image.new("RGB", (width, image.height + line_height * len(lines) + 20), "white")
    canvas.paste(image, ((width - image.width) // 2, 0))
    draw = ImageDraw.Draw(canvas)
    for i, line in enumerate(lines):
        x = (width - int(font.getlength(line))) // 2
        draw.text((x, image.height + 10 + i * line_height), line, fill="black", font=font)
    png = out_dir / f"{code}.png"
    canvas.save(png)

    body, size = _svg_code(link)
    text = "".join(
        f'<text x="{size // 2}" y="{size + 28 + i * 28}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="18">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    height = size + 28 * len(lines) + 20
    wrapper = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(size, 700)}" height="{height}" '
        f'viewBox="{(size - max(size, 700)) // 2} 0 {max(size, 700)} {height}">'
        f'<rect x="{(size - max(size, 700)) // 2}" y="0" width="{max(size, 700)}" height="{height}" fill="white"/>'
        f"{body[body.index('<svg'):].split('>', 1)[1].rsplit('</svg>', 1)[0]}{text}</svg>"
    )
    svg = out_dir / f"{code}.svg"
    svg.write_text(wrapper, encoding="utf-8")
    return png, svg
