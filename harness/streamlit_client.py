"""A session of the app without a browser: Streamlit's own websocket protocol, for many at once.

A browser tab talks to the Streamlit server over one websocket, `/_stcore/stream`. It
sends `BackMsg` protobufs: a `rerun_script` with its `ClientState` (the page, the URL's
query and the widgets' states) on opening a page and on every widget change. The server
answers with `ForwardMsg` protobufs: `new_session` as each script run starts,
`navigation` with the app's pages, a `delta` per element drawn (a new element or block
at a `delta_path` in the page's tree) and `script_finished` at the end of the run. The
messages are in the installed streamlit package (`streamlit.proto`), so this client
speaks the protocol of the very server it drives.

An `AppSession` does what the browser does with them, minus the drawing: it keeps the
elements of the page by path (an element sent again at a path replaces the old one and
everything under it; at the end of a run, the elements that run did not send are
dropped), and a click on a button is a rerun with that button's state
`trigger_value=True`. Widgets left out of a rerun keep their values on the server, so a
click sends only its button.

A session costs milliseconds of one core per script run, where a browser costs processes
and a renderer, so one thread drives a classroom of sessions (bench/load.py: 24 sessions
opening and training the Playground took 0.8 s of CPU in all).

Example:
    >>> async with AppSession(url) as session:
    ...     await session.open("/playground?play.epochs=20")
    ...     await session.click("play.train")
    ...     session.shows("Playground MLP: 20 epochs in")
    True
"""

import asyncio
import dataclasses
import time
import urllib.parse
from collections.abc import Callable

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

STREAM_PATH = "/_stcore/stream"
RUN_TIMEOUT = 120.0
"""Seconds a script run may take by default: a first run imports TensorFlow in the server."""

# A run that ends like this is followed by another one (a rerun, or a fragment's run):
# it does not end what a request started.
_RUN_GOES_ON = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
# The fields that hold an element's words, by element type; others have a `body` or `label`.
_TEXT_FIELDS = {"progress": "text", "code": "code_text"}


@dataclasses.dataclass(frozen=True)
class Shown:
    """One element the server sent for the page.

    Attributes:
        kind: the element's type in `streamlit.proto.Element`: "markdown" (also captions),
            "heading", "alert" (st.info, st.error, ...), "progress", "button",
            "exception", ...
        text: its words as sent (Markdown left as it is), "" if it has none.
        widget_id: the widget's id, "" for elements that are not widgets. A widget made
            with `key=k` has an id that ends in "-k".
        is_error: an exception box or an `st.error`.
        at: when it arrived, in `time.perf_counter()` seconds.
    """

    kind: str
    text: str
    widget_id: str
    is_error: bool
    at: float

    @classmethod
    def of(cls, element: Element, *, at: float) -> "Shown":
        kind = element.WhichOneof("type") or ""
        part = getattr(element, kind) if kind else None
        fields = part.DESCRIPTOR.fields_by_name if part is not None else {}
        if kind == "exception":
            text = f"{part.type}: {part.message}"
        else:
            name = _TEXT_FIELDS.get(kind) or next(
                (field for field in ("body", "label") if field in fields), None
            )
            text = getattr(part, name) if name else ""
        return cls(
            kind=kind,
            text=text,
            widget_id=part.id if "id" in fields else "",
            is_error=kind == "exception" or (kind == "alert" and part.format == Alert.Format.ERROR),
            at=at,
        )


class AppSession:
    """One session of the app, as one browser tab has, over Streamlit's websocket.

    Use it as an async context manager (the connection closes on leaving), open a page,
    read what it shows, click its buttons. Every wait is bounded by a `timeout`.

    Args:
        url: the app's address, e.g. "http://127.0.0.1:8501".

    Attributes:
        received: every element sent since the last request (opening a page or a click), in
            the order they came, with their arrival times: what a page showed while it ran.
        query_string: the URL's query as the browser would have it now.
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.received: list[Shown] = []
        self.query_string = ""
        self._page_hash = ""
        self._pages: dict[str, str] = {}  # URL path -> page script hash, from `navigation`
        self._elements: dict[tuple[int, ...], tuple[str, Shown]] = {}  # path -> (run, element)
        self._run_id = ""  # the script run under way, or the last one
        self._runs_started = 0
        self._runs_started_before = 0  # as the last request was sent
        self._run_over = True
        self._changed: asyncio.Condition | None = None
        self._websocket: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._lost: str | None = None  # why the connection ended, once it has

    async def __aenter__(self) -> "AppSession":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def open(self, path: str = "/", *, timeout: float = RUN_TIMEOUT) -> None:
        """Open the page at `path` (with its query, e.g. "/playground?play.epochs=20") and
        wait until its script run has ended.

        The first call connects, as a new browser tab does; later calls move to another
        page in the same session (keeping `st.session_state`), as the app's menu does.

        Raises:
            TimeoutError: the run did not end within `timeout` seconds.
            ConnectionError: the server closed the connection.
        """
        parts = urllib.parse.urlsplit(path)
        page_name = parts.path.strip("/")
        if self._websocket is None:
            await self._connect(timeout)
        self.query_string = parts.query
        state = ClientState(query_string=parts.query)
        if page_name in self._pages:
            state.page_script_hash = self._pages[page_name]
        else:  # the first page of a session: the server finds it by its URL path
            state.page_name = page_name
        await self._rerun(state)
        await self.wait_for_run(timeout=timeout)

    async def click(self, key: str, *, wait: bool = True, timeout: float = RUN_TIMEOUT) -> None:
        """Click the button made with `key=key` on the page shown now.

        Args:
            key: the button's key.
            wait: wait until the run that the click starts has ended; else return as soon as
                the click is sent (then `wait_for_run`).
            timeout: seconds that run may take.

        Raises:
            LookupError: the page shows no widget with that key.
        """
        state = ClientState(query_string=self.query_string, page_script_hash=self._page_hash)
        state.widget_states.widgets.add(id=self.widget_id(key), trigger_value=True)
        await self._rerun(state)
        if wait:
            await self.wait_for_run(timeout=timeout)

    async def wait_for_run(self, *, timeout: float = RUN_TIMEOUT) -> None:
        """Wait until the run that the last request started has ended.

        Raises:
            TimeoutError: it did not end within `timeout` seconds.
            ConnectionError: the server closed the connection first.
        """
        await self._wait_until(lambda: self._run_over, timeout, "the script run to end")

    def elements(self) -> list[Shown]:
        """The elements on the page now, in the page's order (the main area, then the sidebar)."""
        return [shown for _, (_, shown) in sorted(self._elements.items())]

    def texts(self) -> list[str]:
        """The words of the elements on the page now, those with words."""
        return [shown.text for shown in self.elements() if shown.text]

    def shows(self, text: str) -> bool:
        """Whether an element on the page now has `text` in its words."""
        return any(text in words for words in self.texts())

    def errors(self) -> list[str]:
        """The exception boxes and `st.error` messages on the page now."""
        return [shown.text for shown in self.elements() if shown.is_error]

    def widget_id(self, key: str) -> str:
        """The id of the widget made with `key=key` on the page now.

        Raises:
            LookupError: there is none.
        """
        for shown in self.elements():
            if shown.widget_id.endswith(f"-{key}"):
                return shown.widget_id
        raise LookupError(f"the page shows no widget with key {key!r}; it shows {self.texts()}")

    async def close(self) -> None:
        """Close the connection, as closing the tab does."""
        if self._websocket is not None:
            await self._websocket.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _connect(self, timeout: float) -> None:
        address = urllib.parse.urlsplit(self.url)._replace(scheme="ws", path=STREAM_PATH)
        self._changed = asyncio.Condition()
        self._websocket = await connect(
            address.geturl(),
            subprotocols=["streamlit"],
            open_timeout=timeout,
            max_size=None,  # a page's chart can take megabytes
            proxy=None,  # the app is on this machine: no proxy from the environment
        )
        self._reader = asyncio.create_task(self._read())

    async def _rerun(self, state: ClientState) -> None:
        if self._lost:
            raise ConnectionError(self._lost)
        self.received = []
        self._run_over = False
        self._runs_started_before = self._runs_started
        await self._websocket.send(BackMsg(rerun_script=state).SerializeToString())

    async def _wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: condition() or self._lost is not None), timeout
                )
            except TimeoutError:
                raise TimeoutError(f"waited {timeout:g} s for {what} in vain") from None
        if not condition():
            raise ConnectionError(self._lost)

    async def _read(self) -> None:
        try:
            async for data in self._websocket:
                message = ForwardMsg()
                message.ParseFromString(data)
                async with self._changed:
                    self._handle(message)
                    self._changed.notify_all()
            self._lost = "the server closed the connection"
        except ConnectionClosed as closed:
            self._lost = f"the connection closed: {closed}"
        except Exception as error:  # a message this client cannot read: its waits end too
            self._lost = f"reading the server's messages failed: {error!r}"
        finally:
            self._lost = self._lost or "the connection was closed"
            async with self._changed:
                self._changed.notify_all()

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._run_id = message.metadata.run.script_run_id
            self._runs_started += 1
        elif kind == "navigation":
            self._page_hash = message.navigation.page_script_hash
            self._pages = {
                page.url_pathname: page.page_script_hash for page in message.navigation.app_pages
            }
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta":
            self._draw(message)
        elif kind == "script_finished" and message.script_finished not in _RUN_GOES_ON:
            # As the browser does: what this run did not draw is gone.
            self._elements = {
                path: (run, shown)
                for path, (run, shown) in self._elements.items()
                if run == self._run_id
            }
            self._run_over = self._runs_started > self._runs_started_before

    def _draw(self, message: ForwardMsg) -> None:
        path = tuple(message.metadata.delta_path)
        delta = message.delta
        if delta.WhichOneof("type") not in ("new_element", "add_block"):
            return  # a toast or another transient: not part of the page
        # What was at this path, and under it, is replaced.
        self._elements = {
            where: drawn for where, drawn in self._elements.items() if where[: len(path)] != path
        }
        if delta.WhichOneof("type") == "new_element":
            shown = Shown.of(delta.new_element, at=time.perf_counter())
            self._elements[path] = (self._run_id, shown)
            self.received.append(shown)
