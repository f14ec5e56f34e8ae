-- fetch: move up to N of the oldest jobs of one queue into this process's in-progress list.
-- Reliable fetch: the job is never only in memory; it stays in the in-progress list until acknowledged.
--
-- KEYS[1]  queue list (queue:<q>): LPUSHed by clients, so the oldest job is at the right end
-- KEYS[2]  in-progress list of this process for that queue (same hash slot: it carries {queue:<q>})
-- ARGV[1]  the most jobs to take
--
-- Returns the moved payloads, oldest first (the order to run them); an empty array when the queue is empty.
-- The in-progress list keeps the newest at its left end, as BLMOVE … RIGHT LEFT leaves it, so requeue.lua
-- can put them back in their original order.
local newest_first = redis.call('LRANGE', KEYS[1], -tonumber(ARGV[1]), -1)
local count = #newest_first
if count == 0 then
  return newest_first
end
redis.call('LTRIM', KEYS[1], 0, -count - 1)
local oldest_first = {}
for i = count, 1, -1 do
  oldest_first[#oldest_first + 1] = newest_first[i]
end
for first = 1, count, 1000 do
  redis.call('LPUSH', KEYS[2], unpack(oldest_first, first, math.min(first + 999, count)))
end
return oldest_first
