-- fetch: move up to N of the oldest jobs of some queues into this process's in-progress lists, in one call (one
-- round trip however many queues and weighted draws, where one call each cost a round trip apiece).
-- Reliable fetch: the job is never only in memory; it stays in the in-progress list until acknowledged.
--
-- KEYS     pairs, one per queue: the queue list (queue:<q>), LPUSHed by clients, so the oldest job is at the right
--          end; then this process's in-progress list for it (same hash slot: it carries {queue:<q>}). On a
--          cluster, where queues live in different slots, one pair per call.
-- ARGV[1]  the most jobs to take, in all
-- ARGV[2]  the most jobs to take per draw
-- ARGV[3]  'fill': a draw goes on into its next queue while there is room (strict order); 'first': a draw takes
--          from its first queue that has jobs only (weighted order, one draw per batch)
-- ARGV[4…] the draws, one after another: each the queues' positions among the KEYS pairs (1-based), in the order
--          to try them; a draw that finds every queue empty ends the fetch
--
-- Returns the moved jobs in groups, in the order taken: each group an array of the queue's position, then its
-- payloads, oldest first (the order to run them); no group for an empty queue. The in-progress list keeps the
-- newest at its left end, as BLMOVE … RIGHT LEFT leaves it, so requeue.lua can put them back in their order.
local room = tonumber(ARGV[1])
local per_draw = tonumber(ARGV[2])
local fill = ARGV[3] == 'fill'
local queues = #KEYS / 2
local taken = {}
for draw = 4, #ARGV, queues do
  if room <= 0 then
    break
  end
  local want = math.min(per_draw, room)
  local took = 0
  for i = draw, draw + queues - 1 do
    if took >= want then
      break
    end
    local position = tonumber(ARGV[i])
    local newest_first = redis.call('LRANGE', KEYS[2 * position - 1], -(want - took), -1)
    local count = #newest_first
    if count > 0 then
      redis.call('LTRIM', KEYS[2 * position - 1], 0, -count - 1)
      local group = { position }
      for j = count, 1, -1 do
        group[#group + 1] = newest_first[j]
      end
      for first = 2, count + 1, 1000 do
        redis.call('LPUSH', KEYS[2 * position], unpack(group, first, math.min(first + 999, count + 1)))
      end
      taken[#taken + 1] = group
      took = took + count
      if not fill then
        break
      end
    end
  end
  if took == 0 then
    break
  end
  room = room - took
end
return taken
