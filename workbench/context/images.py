"""Image attachments: recognised by their bytes (PNG, JPEG, GIF, WebP), measured, checked against
the limits every provider accepts, and stored as pi's ImageContent (`{"type": "image", "data":
base64, "mimeType"}`). The providers turn that into Anthropic image blocks and OpenAI data URIs.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # Anthropic's per-image limit (OpenAI accepts 20 MB)
MAX_IMAGE_SIDE = 8000              # Anthropic refuses images larger than 8000 px on a side
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})


class ImageError(WorkbenchError):
    code = "INVALID_PARAMS"


class TextOnlyModel(WorkbenchError):
    code = "CAPABILITY_UNAVAILABLE"


@dataclass(frozen=True)
class ImageAttachment:
    name: str
    mime_type: str
    data: bytes
    width: int | None
    height: int | None

    def content(self) -> dict[str, Any]:
        """pi's ImageContent."""
        return {"type": "image", "data": base64.b64encode(self.data).decode("ascii"), "mimeType": self.mime_type}

    def label(self) -> str:
        return image_label(self.name, self.width, self.height, len(self.data))


def sniff_mime(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def dimensions(data: bytes, mime: str) -> tuple[int, int] | None:
    """Width and height from the header, None when the header is not understood."""
    try:
        if mime == "image/png" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if mime == "image/gif":
            return struct.unpack("<HH", data[6:10])
        if mime == "image/webp":
            return _webp_size(data)
        if mime == "image/jpeg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        b = data[21:25]
        bits = int.from_bytes(b, "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


def human_bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{round(n / 1024)} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def image_label(name: str, width: int | None, height: int | None, size: int) -> str:
    dims = f" · {width}×{height}" if width and height else ""
    return f"[image: {name}{dims} · {human_bytes(size)}]"


def looks_like_image_path(text: str) -> bool:
    return Path(text).suffix.lower() in IMAGE_SUFFIXES


def load_image(path: Path, name: str | None = None) -> ImageAttachment:
    """Read and check one image file; ImageError says what is wrong, naming the file."""
    shown = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageError(f"image {shown}: cannot be read ({exc.strerror or exc})") from None
    if size > MAX_IMAGE_BYTES:
        raise ImageError(f"image {shown} is {human_bytes(size)}: over the {MAX_IMAGE_BYTES // (1024 * 1024)} MB "
                         "limit providers accept; resize or compress it first")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"image {shown}: cannot be read ({exc.strerror or exc})") from None
    mime = sniff_mime(data[:16])
    if mime is None:
        raise ImageError(f"{shown} is not a PNG, JPEG, GIF or WebP image")
    dims = dimensions(data, mime)
    if dims is not None and max(dims) > MAX_IMAGE_SIDE:
        raise ImageError(f"image {shown} is {dims[0]}×{dims[1]} pixels: providers accept at most "
                         f"{MAX_IMAGE_SIDE} on a side; resize it first")
    width, height = dims if dims else (None, None)
    return ImageAttachment(shown, mime, data, width, height)


def check_model_accepts_images(model: str) -> None:
    """Raise TextOnlyModel when the catalog marks `model` text-only (unknown models are let through:
    their provider's answer is the only judge)."""
    from workbench.providers.catalog import get_model

    info = get_model(model)
    if info is not None and not info.images:
        raise TextOnlyModel(f"the model {model} accepts text only (the model catalog says so): nothing was sent. "
                            "Remove the image, or switch to a model that reads images (/model).")


def label_of_content(block: dict[str, Any], name: str = "image") -> str:
    """The one-line label for a stored ImageContent block (a resumed session has no file name)."""
    raw = block.get("data") or ""
    try:
        data = base64.b64decode(raw[: 4 * 4096], validate=False)
    except (ValueError, TypeError):
        data = b""
    size = len(raw) * 3 // 4
    dims = dimensions(data, block.get("mimeType") or "") if data else None
    width, height = dims if dims else (None, None)
    return image_label(name, width, height, size)
