-- fetch: move up to N of the oldest jobs of some queues, taken in the order given, into this process's in-progress
-- lists, in one call (one round trip however many queues, where one call per queue cost a round trip for each
-- empty queue ahead of the one with jobs).
-- Reliable fetch: the job is never only in memory; it stays in the in-progress list until acknowledged.
--
-- KEYS     pairs, one per queue: the queue list (queue:<q>), LPUSHed by clients, so the oldest job is at the right
--          end; then this process's in-progress list for it (same hash slot: it carries {queue:<q>}). On a
--          cluster, where queues live in different slots, one pair per call.
-- ARGV[1]  the most jobs to take, in all
-- ARGV[2]  'fill': on into the next queue while there is room (strict order); 'first': from the first queue
--          that has any jobs only (one weighted draw)
--
-- Returns one array per queue read, in the order given (not those after it stopped): its moved payloads, oldest
-- first (the order to run them); empty for an empty queue. The in-progress list keeps the newest at its left end,
-- as BLMOVE … RIGHT LEFT leaves it, so requeue.lua can put them back in their original order.
local room = tonumber(ARGV[1])
local first_only = ARGV[2] == 'first'
local taken = {}
for pair = 1, #KEYS, 2 do
  if room <= 0 then
    break
  end
  local newest_first = redis.call('LRANGE', KEYS[pair], -room, -1)
  local count = #newest_first
  local oldest_first = {}
  if count > 0 then
    redis.call('LTRIM', KEYS[pair], 0, -count - 1)
    for i = count, 1, -1 do
      oldest_first[#oldest_first + 1] = newest_first[i]
    end
    for first = 1, count, 1000 do
      redis.call('LPUSH', KEYS[pair + 1], unpack(oldest_first, first, math.min(first + 999, count)))
    end
  end
  taken[#taken + 1] = oldest_first
  room = room - count
  if first_only and count > 0 then
    break
  end
end
return taken
