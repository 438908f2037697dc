import asyncio

import pytest

from workbench.runtime.events import TextDelta
from workbench.runtime.stream import EventStream


def ev(i: int) -> TextDelta:
    return TextDelta(delta=str(i))


async def test_subscribers_read_independently_from_the_start():
    s = EventStream()
    early = s.subscribe()
    for i in range(3):
        s.publish(ev(i))
    late = s.subscribe()  # replays history first
    assert [e.delta for e in early.drain()] == ["0", "1", "2"]
    assert [e.delta for e in late.drain()] == ["0", "1", "2"]
    s.publish(ev(3))
    assert [e.delta for e in late.drain()] == ["3"]
    assert [e.delta for e in early.drain()] == ["3"]
    fresh = s.subscribe(replay=False)
    assert fresh.drain() == []


async def test_async_iteration_wakes_on_publish_and_ends_on_close():
    s = EventStream()
    got: list[str] = []

    async def reader():
        async for e in s.subscribe():
            got.append(e.delta)

    task = asyncio.create_task(reader())
    await asyncio.sleep(0)
    s.publish(ev(1))
    await asyncio.sleep(0)
    s.publish(ev(2))
    s.close()
    await asyncio.wait_for(task, 1)
    assert got == ["1", "2"]


async def test_a_reader_behind_the_bound_skips_and_counts_what_it_missed():
    s = EventStream(history=5)
    sub = s.subscribe()
    for i in range(12):
        s.publish(ev(i))
    assert [e.delta for e in sub.drain()] == ["7", "8", "9", "10", "11"]
    assert sub.missed == 7
    assert len(s) == 5 and s.first_seq == 7


async def test_listeners_are_called_synchronously_and_can_be_removed():
    s = EventStream()
    seen = []
    remove = s.add_listener(seen.append)
    s.publish(ev(1))
    remove()
    s.publish(ev(2))
    assert [e.delta for e in seen] == ["1"]


def test_history_must_be_positive():
    with pytest.raises(ValueError, match="history"):
        EventStream(history=0)
