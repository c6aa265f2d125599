"""Two 1,600 x 1,200 camera-like JPEGs (about 220 KB each, with EXIF as phones write it) and the
multipart body of one report carrying both, as a phone without the JavaScript shrink sends it."""
import io, json, random, sys
from PIL import Image, ImageDraw, ImageFilter

out = sys.argv[1]
random.seed(7)

def photo(seed):
    rnd = random.Random(seed)
    img = Image.new("RGB", (1600, 1200))
    draw = ImageDraw.Draw(img)
    for _ in range(900):  # shapes and text-like strokes: the detail of a phone screenshot photo
        x, y = rnd.randrange(1600), rnd.randrange(1200)
        w, h = rnd.randrange(8, 220), rnd.randrange(4, 90)
        draw.rectangle([x, y, x + w, y + h], fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise((1600, 1200), 18).convert("RGB")
    img = Image.blend(img, noise, 0.12)
    exif = Image.Exif()
    exif[0x0112] = 1  # upright
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=82, exif=exif.tobytes())
    return buf.getvalue()

a, b = photo(1), photo(2)
boundary = "----mssbench7f3a9c"
incident = {
    "customer": {"name": "张三", "customer_no": "310012345678"},
    "system": "trading", "urgency": "normal",
    "description": "客户委托买入后一直显示已报未成交，价格已高于委托价，请协助查看。",
}
parts = []
parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="incident"\r\nContent-Type: application/json\r\n\r\n'.encode() + json.dumps(incident, ensure_ascii=False).encode() + b"\r\n")
for i, data in enumerate((a, b)):
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="screenshots"; filename="IMG_{i}.JPG"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + data + b"\r\n")
parts.append(f"--{boundary}--\r\n".encode())
body = b"".join(parts)
open(f"{out}/body.bin", "wb").write(body)
open(f"{out}/boundary.txt", "w").write(boundary)
print(f"photos {len(a)} + {len(b)} bytes; report body {len(body)} bytes")
