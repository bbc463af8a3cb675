// A wasi:http/proxy component in JavaScript: a `fetch` event handler, built with
// componentize-js and served by `tairitsu serve` (tests/ecosystem). Its outgoing requests go
// through `fetch`, so the sandbox's allow-list applies to them.
//
// GET /            -> 200 "hello from javascript"
// GET /fetch/URL   -> GET URL with fetch: 200 "STATUS BODY", or 502 "fetch failed: ERROR"

addEventListener("fetch", (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const url = new URL(request.url);
  if (url.pathname === "/") {
    return new Response("hello from javascript");
  }
  if (url.pathname.startsWith("/fetch/")) {
    const target = url.pathname.slice("/fetch/".length) + url.search;
    try {
      const response = await fetch(target);
      const body = await response.text();
      return new Response(`${response.status} ${body}`);
    } catch (error) {
      return new Response(`fetch failed: ${error}`, { status: 502 });
    }
  }
  return new Response(`no route ${url.pathname}`, { status: 404 });
}
