-- bucket-acquire: take one token from a token bucket that holds up to `limit` tokens and refills `limit` every
-- `per` milliseconds, continuously (bursts up to `limit`, then the refill rate).
--
-- KEYS[1]  the bucket (HASH: tokens, at = epoch ms of the last update)
-- ARGV[1]  now, epoch ms
-- ARGV[2]  the limit (capacity)
-- ARGV[3]  per, milliseconds
--
-- Returns 0 when a token was taken, else the milliseconds until one is there.
local now = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local per = tonumber(ARGV[3])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or capacity)
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * capacity / per)
end
if tokens < 1 then
  return math.ceil((1 - tokens) * per / capacity)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], math.ceil(per) * 2)
return 0
