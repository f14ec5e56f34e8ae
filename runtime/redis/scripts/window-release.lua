-- window-release: give back a start a fixed-window rate limiter counted in a window the start did not begin in (its
-- window ended while window-acquire.lua ran; limit-acquire.ts counts it in the next one instead), so the counters
-- sum to the starts. A counter that has expired meanwhile is left alone, not made again without its expiry.
--
-- KEYS[1]  the window's counter (STRING)
--
-- Returns the count left, or -1 when the counter is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
return redis.call('DECR', KEYS[1])
