-- leaky-acquire: a leaky bucket that lets jobs out evenly, one every `per / limit` milliseconds, with no burst: the
-- start is allowed once the previous one has drained.
--
-- KEYS[1]  the bucket (STRING: epoch ms from which the next start is allowed)
-- ARGV[1]  now, epoch ms
-- ARGV[2]  milliseconds between starts (per / limit)
--
-- Returns 0 when the start is allowed, else the milliseconds until it is.
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_at > now then
  return math.ceil(next_at - now)
end
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', math.ceil(interval) * 2 + 1000)
return 0
