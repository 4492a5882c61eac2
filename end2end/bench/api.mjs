// The JSON API as the browser benches call it: `api(base, cookie, method, path, body)` answers
// the response, or throws with its status and text when it is not a success.

export async function api(base, cookie, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res;
}
