"""The token bucket limiter with an injected clock: burst, refill, Retry-After, bounded memory."""

from __future__ import annotations

import pytest

from bot.limits import ChatLimits, TokenBucketLimiter, retry_after_header


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_burst_goes_through_then_one_message_per_refill(clock) -> None:
    limiter = TokenBucketLimiter(20, 5, clock=clock)  # one token every 3 s
    assert [limiter.hit("a") for _ in range(5)] == [0.0] * 5
    assert limiter.hit("a") == pytest.approx(3.0)
    clock.now += 1
    assert limiter.hit("a") == pytest.approx(2.0)  # a refused message costs nothing
    clock.now += 2
    assert limiter.hit("a") == 0.0
    assert limiter.hit("a") == pytest.approx(3.0)


def test_the_bucket_refills_up_to_the_burst_only(clock) -> None:
    limiter = TokenBucketLimiter(60, 3, clock=clock)
    for _ in range(3):
        limiter.hit("a")
    clock.now += 3600  # an hour of rest gives back the burst, not 3600 messages
    assert [limiter.hit("a") for _ in range(4)][-1] == pytest.approx(1.0)


def test_keys_are_counted_separately(clock) -> None:
    limiter = TokenBucketLimiter(20, 2, clock=clock)
    limiter.hit("a")
    limiter.hit("a")
    assert limiter.hit("a") > 0
    assert limiter.hit("b") == 0.0


def test_sustained_rate_matches_the_setting(clock) -> None:
    limiter = TokenBucketLimiter(20, 10, clock=clock)
    sent = 0
    for _ in range(600):  # ten minutes of trying every second
        sent += limiter.hit("a") == 0.0
        clock.now += 1
    assert 10 + 200 - 1 <= sent <= 10 + 200


@pytest.mark.parametrize(("seconds", "header"), [(0.01, 1), (1.0, 1), (2.0000000001, 2), (2.2, 3), (59.5, 60)])
def test_retry_after_is_whole_seconds_rounded_up(seconds, header) -> None:
    assert retry_after_header(seconds) == header


def test_memory_is_bounded_when_every_message_has_a_new_key(clock) -> None:
    limiter = TokenBucketLimiter(20, 5, max_keys=100, clock=clock)
    for i in range(10_000):
        assert limiter.hit(f"random-{i}") == 0.0
    assert len(limiter) == 100


def test_full_buckets_are_dropped_without_changing_anything(clock) -> None:
    limiter = TokenBucketLimiter(60, 2, clock=clock)
    for i in range(50):
        limiter.hit(f"old-{i}")
    clock.now += 10  # all refilled
    limiter.hit("new")
    assert len(limiter) == 1
    limiter.hit("new")
    assert limiter.hit("new") == pytest.approx(1.0)  # the live one is kept


def test_the_most_recently_used_keys_survive_eviction(clock) -> None:
    limiter = TokenBucketLimiter(1, 1, max_keys=3, clock=clock)
    limiter.hit("victim")
    for i in range(3):
        limiter.hit(f"other-{i}")
    assert limiter.hit("other-2") > 0  # still counted
    assert limiter.hit("victim") == 0.0  # evicted (forgiven), never wrongly blocked


def test_zero_turns_a_limit_off(clock) -> None:
    limiter = TokenBucketLimiter(0, 1, clock=clock)
    assert all(limiter.hit("a") == 0.0 for _ in range(1000))
    assert len(limiter) == 0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="burst"):
        TokenBucketLimiter(20, 0)
    with pytest.raises(ValueError, match="per_minute"):
        TokenBucketLimiter(-1, 5)


def test_chat_limits_count_a_message_against_both_keys_or_neither(clock) -> None:
    limits = ChatLimits(TokenBucketLimiter(60, 1, clock=clock), TokenBucketLimiter(60, 3, clock=clock))
    assert limits.hit("s1", "ip") == 0.0
    assert limits.hit("s1", "ip") == pytest.approx(1.0)  # the sender is over; the address is not charged
    assert limits.hit("s2", "ip") == 0.0
    assert limits.hit("s3", "ip") == 0.0
    assert limits.hit("s4", "ip") == pytest.approx(1.0)  # now the address is over
    assert limits.hit("s5", "other-ip") == 0.0
