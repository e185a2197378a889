"""Dev-only oracle: an openpi-style Python client (msgpack + numpy + websockets), written for this project's
tests from the openpi wire format (numpy arrays as maps with binary keys __ndarray__, data, dtype, shape).
Usage: python3 openpi_oracle.py bytes            -> hex of a packed LIBERO-style observation
       python3 openpi_oracle.py ws://host:port   -> drive a policy server, print what came back
"""
import asyncio, functools, sys
import msgpack, numpy as np, websockets

def pack_array(obj):
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in ("V", "O", "c"):
        raise ValueError(f"Unsupported dtype: {obj.dtype}")
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj

def unpack_array(obj):
    if b"__ndarray__" in obj:
        return np.ndarray(buffer=obj[b"data"], dtype=np.dtype(obj[b"dtype"]), shape=obj[b"shape"])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj

packb = functools.partial(msgpack.packb, default=pack_array)
unpackb = functools.partial(msgpack.unpackb, object_hook=unpack_array)

if sys.argv[1] == "bytes":
    obs = {"observation/image": np.zeros((2, 2, 3), np.uint8), "observation/wrist_image": np.full((2, 2, 3), 7, np.uint8),
           "observation/state": np.arange(8, dtype=np.float64), "prompt": "open the drawer"}
    print(packb(obs).hex())
    sys.exit(0)

async def main(url):
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        meta = unpackb(await ws.recv())
        print("metadata", meta)
        for i in range(3):
            obs = {"observation/image": np.random.randint(0, 256, (224, 224, 3), dtype=np.uint8),
                   "observation/wrist_image": np.random.randint(0, 256, (224, 224, 3), dtype=np.uint8),
                   "observation/state": np.random.rand(8), "prompt": "open the drawer"}
            await ws.send(packb(obs))
            reply = await ws.recv()
            if isinstance(reply, str):
                print("error", reply); return
            out = unpackb(reply)
            print("actions", out["actions"].dtype, out["actions"].shape, "timing", out["server_timing"])
        await ws.send(packb({"observation/image": np.zeros((224, 224, 3), np.float32)}))
        err = await ws.recv()
        print("error frame type", type(err).__name__, err.splitlines()[-1][:120] if isinstance(err, str) else err[:20])
        try:
            await ws.recv()
        except websockets.exceptions.ConnectionClosed as e:
            print("closed", e.rcvd.code if e.rcvd else None)

asyncio.run(main(sys.argv[1]))
