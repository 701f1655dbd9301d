// The live event stream, GET /api/v1/events (Server-Sent Events): one EventSource per tab.
// The browser reconnects by itself after `retry:` and sends Last-Event-ID, so the server replays
// exactly what was missed; a `reset` event means too much was missed (reload the view), a
// `reconnect` that the tab fell behind and the server let it go (it comes back at once).
// The session cookie signs the stream in.
//
//   const stream = openEvents({ topics: ["case", "alarm"] });
//   stream.on("case.reported", (data) => addMarker(data));
//   stream.on("reset", () => reloadPanels());
//   showStatus(stream, document.querySelector("#live"));

const URL_PATH = "/api/v1/events";

/** Open the tab's stream. `topics`: wire-name prefixes or the words case, alarm, sensing,
 * indicator, rank, insight (all streamed events when left out). */
export function openEvents({ topics = [], url = URL_PATH } = {}) {
  const params = new URLSearchParams();
  if (topics.length) params.set("topics", topics.join(","));
  const src = new EventSource(params.size ? `${url}?${params}` : url);
  const handlers = new Map(); // event name -> set of callbacks
  const statusListeners = new Set();
  let state = "connecting";

  const setState = (next) => {
    if (next === state) return;
    state = next;
    for (const listener of statusListeners) listener(state);
  };
  src.addEventListener("open", () => setState("live"));
  src.addEventListener("error", () => {
    // CONNECTING: the browser retries on its own; CLOSED: it gave up (signed out, 401/403)
    setState(src.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  });

  const listen = (name) => {
    if (handlers.has(name)) return handlers.get(name);
    const set = new Set();
    handlers.set(name, set);
    src.addEventListener(name, (message) => {
      let data = null;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      for (const callback of set) callback(data, message.lastEventId);
    });
    return set;
  };

  return {
    /** Call `callback(data, id)` for each event named `name` (a wire name such as
     * "case.dispatched", or "reset" / "reconnect"). Returns a function that stops it. */
    on(name, callback) {
      const set = listen(name);
      set.add(callback);
      return () => set.delete(callback);
    },
    /** "connecting", "live", "reconnecting" or "closed"; `onStatus(fn)` follows changes. */
    get status() {
      return state;
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(state);
      return () => statusListeners.delete(listener);
    },
    close() {
      src.close();
      setState("closed");
    },
  };
}

const LABELS = {
  connecting: "连接中",
  live: "实时",
  reconnecting: "重连中",
  closed: "已断开",
};

/** Show the stream's state in `element`: its text, and `data-status` for the page's CSS. */
export function showStatus(stream, element, labels = LABELS) {
  return stream.onStatus((state) => {
    element.dataset.status = state;
    element.textContent = labels[state] ?? state;
    element.title = state;
  });
}
