"""The hub without sockets: subscriptions, the broker in between, and dropping slow clients."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from ticker.playlist import Shown
from web.hub import Hub, LocalBroker, Outgoing


class Screen:
    """A subscriber that records what it takes, or refuses everything once it is `full`."""

    def __init__(self, full: bool = False) -> None:
        self.full = full
        self.got: list[Outgoing] = []
        self.offered = 0

    def deliver(self, message: Outgoing) -> bool:
        self.offered += 1
        if self.full:
            return False
        self.got.append(message)
        return True


class RecordingBroker:
    """A broker that only remembers: nothing reaches a hub until the test delivers it."""

    def __init__(self) -> None:
        self.hubs: list[Hub] = []
        self.published: list[tuple[str, Outgoing]] = []

    def attach(self, hub: Hub) -> None:
        self.hubs.append(hub)

    def publish(self, feed: str, message: Outgoing, shown: Shown | None) -> None:
        self.published.append((feed, message))


def text_frames(data: bytes) -> list[str]:
    """Parse server-to-client websocket frames by hand (RFC 6455 §5.2): each must be a whole,
    unmasked text frame."""
    texts = []
    while data:
        head, size = data[0], data[1]
        assert head == 0x81, "FIN set, no RSV bits, opcode 1 (text)"
        assert not size & 0x80, "a server's frames are not masked"
        offset = 2
        if size == 126:
            size, offset = int.from_bytes(data[2:4], "big"), 4
        elif size == 127:
            size, offset = int.from_bytes(data[2:10], "big"), 10
        assert len(data) >= offset + size
        texts.append(data[offset : offset + size].decode("utf-8"))
        data = data[offset + size :]
    return texts


def test_subscribe_unsubscribes_at_the_end_of_the_block() -> None:
    """A subscriber is in the hub inside the block and gone after it."""
    hub, screen = Hub(), Screen()
    with hub.subscribe("support", screen) as sub:
        assert sub is screen
        assert hub.count() == 1
    assert hub.count() == 0
    assert hub.feeds() == []


def test_subscribe_unsubscribes_when_the_block_raises() -> None:
    """A connection that fails inside the block still leaves the hub."""
    hub = Hub()
    with pytest.raises(ConnectionError), hub.subscribe("support", Screen()):
        raise ConnectionError("client went away")
    assert hub.count() == 0
    assert hub.feeds() == []


def test_a_hub_attaches_itself_to_its_broker() -> None:
    """Making a hub on a broker attaches it, so the broker can deliver to it."""
    broker = RecordingBroker()
    hub = Hub(broker)
    assert broker.hubs == [hub]
    assert hub.broker is broker


def test_publish_goes_through_the_broker() -> None:
    """Publishing hands the feed and message to the broker and delivers nothing by itself."""
    broker = RecordingBroker()
    hub, screen = Hub(broker), Screen()
    message = Outgoing('{"type":"remove","id":"c-1"}')
    with hub.subscribe("support", screen):
        hub.publish("support", message, None)
        assert broker.published == [("support", message)]
        assert screen.got == []
        assert hub.deliver("support", message) == 1  # what the broker does when it delivers
        assert screen.got == [message]


def test_a_hub_without_a_broker_gets_a_local_one() -> None:
    """By default publishing delivers at once, in this process."""
    hub, screen = Hub(), Screen()
    message = Outgoing('{"type":"pong"}')
    with hub.subscribe("support", screen):
        hub.publish("support", message, None)
    assert isinstance(hub.broker, LocalBroker)
    assert screen.got == [message]


def test_a_local_broker_delivers_to_every_attached_hub() -> None:
    """Two hubs on one broker (as two processes on one Redis): a publish on one reaches both."""
    broker = LocalBroker()
    first, second = Hub(broker), Hub(broker)
    here, there = Screen(), Screen()
    message = Outgoing('{"type":"remove","id":"c-1"}')
    with first.subscribe("support", here), second.subscribe("support", there):
        first.publish("support", message, None)
    assert here.got == [message]
    assert there.got == [message]


def test_publishing_reaches_only_the_feeds_subscribers() -> None:
    """Screens of another feed get nothing."""
    hub, support, sales = Hub(), Screen(), Screen()
    with hub.subscribe("support", support), hub.subscribe("sales", sales):
        hub.publish("support", Outgoing('{"type":"pong"}'), None)
    assert len(support.got) == 1
    assert sales.got == []


def test_a_refusing_subscriber_is_dropped_and_others_keep_getting_messages() -> None:
    """A client too far behind leaves the hub at once; the others are not held back."""
    hub, slow, fast = Hub(), Screen(full=True), Screen()
    first, second = Outgoing('{"type":"pong"}'), Outgoing('{"type":"remove","id":"c-1"}')
    with hub.subscribe("support", slow), hub.subscribe("support", fast):
        assert hub.deliver("support", first) == 1
        assert hub.count() == 1
        slow.full = False  # even if it could take more now, it is no longer subscribed
        hub.publish("support", second, None)
        assert slow.offered == 1
        assert slow.got == []
        assert fast.got == [first, second]
    assert hub.count() == 0


def test_the_last_refusing_subscriber_takes_its_feed_with_it() -> None:
    """A feed whose only screen was dropped is not listed; leaving the block then is harmless."""
    hub = Hub()
    with hub.subscribe("support", Screen(full=True)):
        assert hub.deliver("support", Outgoing('{"type":"pong"}')) == 0
        assert hub.feeds() == []
    assert hub.count() == 0


def test_deliver_to_a_feed_nobody_watches_reaches_no_one() -> None:
    """Delivering to an unwatched feed is a no-op that reports 0."""
    assert Hub().deliver("nobody", Outgoing('{"type":"pong"}')) == 0


def test_deliver_all_reaches_every_feeds_subscribers() -> None:
    """A heartbeat goes to every screen of every feed; refusers are dropped on the way."""
    hub, a, b, c, slow = Hub(), Screen(), Screen(), Screen(), Screen(full=True)
    beat = Outgoing('{"type":"heartbeat","at":"2024-05-02T08:30:20Z"}')
    with (
        hub.subscribe("support", a),
        hub.subscribe("support", b),
        hub.subscribe("sales", c),
        hub.subscribe("ops", slow),
    ):
        assert hub.deliver_all(beat) == 3
        assert [a.got, b.got, c.got] == [[beat]] * 3
        assert sorted(hub.feeds()) == ["sales", "support"]


def test_count_and_feeds_follow_subscriptions() -> None:
    """count() is the number of subscribers; feeds() the feeds with at least one."""
    hub = Hub()
    assert (hub.count(), hub.feeds()) == (0, [])
    with hub.subscribe("support", Screen()), hub.subscribe("support", Screen()):
        with hub.subscribe("sales", Screen()):
            assert hub.count() == 3
            assert sorted(hub.feeds()) == ["sales", "support"]
        assert (hub.count(), hub.feeds()) == (2, ["support"])
    assert (hub.count(), hub.feeds()) == (0, [])


@pytest.mark.parametrize(
    "texts",
    [
        ('{"type":"pong"}',),
        ('{"type":"remove","id":"c-1"}', '{"type":"add","item":{},"index":0}'),
        ('{"type":"error","code":"x","message":"Café — ☕ 😀"}',),
        ("x" * 126, "y" * 65535, "z" * 65536),  # the 16- and 64-bit length forms
    ],
    ids=["one", "two", "non-ascii", "long"],
)
def test_frames_are_unmasked_text_frames_of_the_texts(texts: tuple[str, ...]) -> None:
    """Outgoing.frames parses back, frame by frame, into exactly its texts."""
    assert text_frames(Outgoing(*texts).frames) == list(texts)


def test_frames_agree_with_the_websockets_parser() -> None:
    """The websockets library reads the frames back as unmasked text frames of the texts."""
    texts = ('{"type":"remove","id":"c-1"}', "é" * 200)
    reader = StreamReader()
    reader.feed_data(Outgoing(*texts).frames)
    reader.feed_eof()
    parsed = []
    for _ in texts:
        parser = Frame.parse(reader.read_exact, mask=False)
        with pytest.raises(StopIteration) as done:
            next(parser)
        parsed.append(done.value.value)
    assert [(f.opcode, f.fin, f.data.decode()) for f in parsed] == [
        (Opcode.TEXT, True, t) for t in texts
    ]
    assert reader.at_eof()


def test_frames_are_computed_once() -> None:
    """The second access returns the same bytes object: one encoding for every client."""
    message = Outgoing('{"type":"pong"}')
    assert message.frames is message.frames


def test_size_counts_every_text() -> None:
    """An Outgoing carries the total length of its texts, for backlog accounting."""
    assert Outgoing("abc", "de").size == 5
    assert Outgoing().size == 0
