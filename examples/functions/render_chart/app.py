"""Sample tool: render a bar chart as a PNG and return it as MCP content (an image plus a caption).

The result has the shape of an MCP tool result ({"content": [...]}) so lambda-mcp can pass the image through.
Pure standard library: the PNG is written by hand (zlib + struct).
"""
import base64
import struct
import zlib

WIDTH, HEIGHT = 160, 100
COLORS = [(66, 133, 244), (219, 68, 55), (244, 180, 0), (15, 157, 88), (171, 71, 188)]


def _png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def lambda_handler(event, context):
    values = event.get("values", [3, 5, 2, 8, 6])
    if not isinstance(values, list) or not values or len(values) > 20:
        raise ValueError("values must be a list of 1-20 numbers")
    if not all(isinstance(v, (int, float)) and v >= 0 for v in values):
        raise ValueError("values must be non-negative numbers")
    title = str(event.get("title", "Chart"))
    top = max(values) or 1
    bar_w = max(1, (WIDTH - 10) // len(values))
    rows = []
    for y in range(HEIGHT):
        row = []
        for x in range(WIDTH):
            i = (x - 5) // bar_w
            pixel = (255, 255, 255)
            if 0 <= i < len(values) and (x - 5) % bar_w < bar_w - 2:
                bar_h = int((HEIGHT - 10) * values[i] / top)
                if HEIGHT - 5 - bar_h <= y < HEIGHT - 5:
                    pixel = COLORS[i % len(COLORS)]
            row.extend(pixel)
        rows.append(row)
    png = _png(WIDTH, HEIGHT, rows)
    print("rendered %d bars, %d bytes" % (len(values), len(png)))
    return {
        "content": [
            {"type": "image", "data": base64.b64encode(png).decode("ascii"), "mimeType": "image/png"},
            {"type": "text", "text": "%s: %d bars, max %s" % (title, len(values), top)},
        ]
    }
