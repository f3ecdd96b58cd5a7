// A registered office screen. On /screen it makes its own key (kept in this browser, never in
// the server), shows the code the server gives it until a curator registers it, then goes to
// its feed's /display page. On /display it sends a heartbeat with what it shows now (the
// widget's voc-now-showing event) and follows its schedule; removed, it shows a new code.
(() => {
  "use strict";
  const STORE = "voc-screen-key";
  const FIRST_BEAT_MS = 2000;

  const newKey = () => {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    const text = btoa(String.fromCharCode(...bytes));
    return "vocd_" + text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const keyNow = () => {
    let key = localStorage.getItem(STORE);
    if (!key) {
      key = newKey();
      localStorage.setItem(STORE, key);
    }
    return key;
  };

  let showing = {};
  document.addEventListener("voc-now-showing", (event) => {
    showing = event.detail || {};
  });

  async function hello(key) {
    const answer = await fetch("/screens/hello", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Display-Token": key },
      body: JSON.stringify({ showing }),
      cache: "no-store",
    });
    return { status: answer.status, body: await answer.json().catch(() => ({})) };
  }

  const show = (feed, key) =>
    location.replace(`/display/${encodeURIComponent(feed)}?token=${encodeURIComponent(key)}`);

  const codeBox = document.querySelector("[data-voc-screen-code]");
  const status = document.querySelector("[data-voc-screen-status]");

  async function pairing() {
    let wait = 3;
    try {
      const { status: code, body } = await hello(keyNow());
      if (code === 409 || code === 422) {
        localStorage.setItem(STORE, newKey()); // spent or unreadable: a new key, a new code
        wait = 1;
      } else if (code === 200 && body.registered) {
        show(body.feed, keyNow());
        return;
      } else if (code === 200) {
        codeBox.textContent = `${body.code.slice(0, 3)}-${body.code.slice(3)}`;
        status.textContent = `Waiting to be registered. The code lasts ${body.expires_minutes} minutes; this page keeps it.`;
        wait = body.heartbeat_seconds || 3;
      } else {
        status.textContent = body.error || "The server could not give a code; trying again.";
        wait = 10;
      }
    } catch {
      status.textContent = "Cannot reach the server; trying again.";
      wait = 10;
    }
    setTimeout(pairing, wait * 1000);
  }

  async function beating(key, feed) {
    let wait = 30;
    try {
      const { status: code, body } = await hello(key);
      if (code === 200 && body.registered) {
        if (body.feed !== feed) {
          show(body.feed, key); // the schedule moved on, or a curator changed the feed
          return;
        }
        wait = body.heartbeat_seconds || wait;
      } else if (code === 200 || code === 409) {
        location.replace("/screen"); // removed from the console: show a new code
        return;
      }
    } catch {
      // offline: keep showing what the page has, and try again
    }
    setTimeout(() => beating(key, feed), wait * 1000);
  }

  if (codeBox) {
    pairing();
  } else {
    const token = new URLSearchParams(location.search).get("token");
    const key = localStorage.getItem(STORE);
    const feed = decodeURIComponent(location.pathname.split("/")[2] || "");
    if (token && key && token === key) setTimeout(() => beating(key, feed), FIRST_BEAT_MS);
  }
})();
