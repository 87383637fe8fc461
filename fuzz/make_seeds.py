#!/usr/bin/env python3
"""Writes the named seed inputs into corpus/<target>/seed-*: real Kling envelopes and tasks (shapes
from Kling's API reference), error envelopes, an nginx 502 page, a Standard-Webhooks-signed callback,
valid and invalid parameters. scripts/fuzz keeps these under their names across `cmin`."""
import base64, hashlib, hmac, json, os

HERE = os.path.dirname(os.path.abspath(__file__))


def w(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def env(data, code=0, msg="SUCCEED", rid="b6ac1ef2-7e7f-4b53-9b4c-5f6a3d2e1c00"):
    return json.dumps({"code": code, "message": msg, "request_id": rid, "data": data},
                      ensure_ascii=False, indent=2)


created = {"task_id": "847211632612511839", "task_status": "submitted",
           "task_info": {"external_task_id": "chain-1"},
           "created_at": 1722769557708, "updated_at": 1722769557708}
succeeded = {
    "task_id": "847211632612511840", "task_status": "succeed", "task_status_msg": "",
    "task_info": {"parent_video": {"id": "743211632612511839",
                                   "url": "https://cdn.klingai.com/v.mp4", "duration": "5.1"},
                  "external_task_id": "chain-2"},
    "task_result": {"videos": [{"id": "943211632612511841", "url": "https://cdn.klingai.com/x.mp4",
                                "watermark_url": "https://cdn.klingai.com/w.mp4", "duration": "9.4"}]},
    "watermark_info": {"enabled": False}, "final_unit_deduction": "1",
    "created_at": 1722769557708, "updated_at": 1722769657708}
failed = {"task_id": 847211632612511842, "task_status": "failed",
          "task_status_msg": "Failure to pass the risk control system"}

# decode_response: status line, headers, empty line, body.
D = "date: Sun, 22 Nov 2026 23:39:15 GMT\ncontent-type: application/json\nx-request-id: req-hdr-1\n"
R = "decode_response"
w(R, "create_ok", "200\n" + D + "\n" + env(created))
w(R, "query_succeed", "200\n" + D + "\n" + env(succeeded))
w(R, "list_ok", "200\n" + D + "\n" + env([succeeded, failed, {"task_id": ""}]))
w(R, "concurrency_429", "429\n" + D + "retry-after: 2\n\n" + env(None, 1303, "parallel task over resource pack limit"))
w(R, "rate_limit_ms", "429\n" + D + "retry-after-ms: 1500\n\n" + env(None, 1302, "rate limit"))
w(R, "token_expired_401", "401\n" + D + "\n" + env(None, 1004, "Authorization is invalid"))
w(R, "server_500_date", "500\n" + D + "retry-after: Sun, 22 Nov 2026 23:39:20 GMT\n\n" + env(None, 5000, "服务器内部错误"))
w(R, "html_502", "502\ncontent-type: text/html\nretry-after: 30\n\n<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
  "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
w(R, "ok_not_json", "200\n" + D + "\nOK")
w(R, "ok_no_envelope", "200\n" + D + "\n" + json.dumps(succeeded))
w(R, "unknown_code_200", "200\n" + D + "\n" + env(None, 1999, "unknown"))

# verify_callback: headers (+ x-secret, x-tolerance, x-now), empty line, body.
C = "verify_callback"
key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
body = json.dumps(succeeded, separators=(",", ":")).encode()
mid, ts = "msg_2mRZ1s6dH3cXa9", 1722769557
sig = base64.b64encode(hmac.new(key, f"{mid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
w(C, "signed_ok", f"webhook-id: {mid}\nwebhook-timestamp: {ts}\nwebhook-signature: v1,{sig}\n"
  f"x-secret: {secret}\nx-tolerance: 300\nx-now: {ts + 10}\n\n".encode() + body)
w(C, "stale_rotated", f"webhook-id: {mid}\nwebhook-timestamp: {ts}\nwebhook-signature: v1,AAAA v2,xyz v1,{sig}\n"
  f"x-secret: {secret}\nx-tolerance: 300\nx-now: {ts + 301}\n\n".encode() + body)
w(C, "unsigned_legacy", b"content-type: application/json\n\n" + json.dumps(failed).encode())
w(C, "enveloped", b"webhook-id: m\nwebhook-timestamp: -9\nwebhook-signature: v1,=\nx-secret: whsec_\n\n" + env(created).encode())
w(C, "not_json", f"webhook-id: {mid}\nwebhook-timestamp: {ts}\nwebhook-signature: v1,{sig}\n"
  f"x-secret: not base64!\nx-now: {ts}\n\n<html>".encode())

# validate_params: JSON parameters.
V = "validate_params"
w(V, "extend_ok", json.dumps({"video_id": "743211632612511839", "prompt": "A puppy appears", "negative_prompt": "",
                              "callback_url": "", "cfg_scale": 0.5, "watermark_info": {"enabled": True},
                              "external_task_id": "x-1"}))
w(V, "extend_guide_mistake", json.dumps({"task_id": "abc", "prompt": "The rocket ascends", "duration": "5", "mode": "standard"}))
w(V, "text2video_ok", json.dumps({"model_name": "kling-v1-6", "prompt": "A rocket launching from a desert landscape, cinematic",
                                  "mode": "pro", "aspect_ratio": "16:9", "duration": "10", "camera_control": {"type": "simple"}}))
w(V, "image2video_dataurl", json.dumps({"image": "data:image/png;base64,iVBORw0KGgo=", "image_tail": "https://example.com/a.png",
                                        "dynamic_masks": []}))
w(V, "prompt_2501", json.dumps({"video_id": "v", "prompt": "中" * 2501}, ensure_ascii=False))
w(V, "cfg_out_of_range", json.dumps({"video_id": "v", "cfg_scale": 1.0000001}))
w(V, "page", json.dumps({"pageNum": 1000, "pageSize": 500.0}))
w(V, "page_bad", json.dumps({"pageNum": 0, "pageSize": 1e300}))
w(V, "chain_ok", json.dumps({"video_id": "743211632612511839", "video_duration": "170", "external_task_id": "run-7",
                             "prompts": ["The rocket ascends", {"prompt": "into the stratosphere", "cfg_scale": 1}]}))
w(V, "chain_too_long", json.dumps({"video_id": "v", "prompts": ["p"] * 37}))
w(V, "not_object", "[1,null,\"x\"]")
