-- periodic-sync: replace the stored periodic entry set with the one a process declares, in one atomic step: new
-- entries are added, changed ones rewritten (their state, pause flag and last tick, kept), and entries it no longer
-- declares removed with their state. Standalone Redis only: a removed entry's state key is built from ARGV[2].
-- An entry whose schedule changed (its cron expression or time zone) starts the new one now: its ticks up to now
-- were never due (the old schedule's were), so they are recorded as `paused_through`, which periodic-enqueue.lua
-- counts as taken, and `missed: 'last'` catches none of them up. Any other change keeps the ticks due.
--
-- KEYS[1]  the periodic definitions hash (sidepunch:periodic)
-- KEYS[2]  the writer key (sidepunch:periodic-writer)
-- ARGV[1]  the writer's value: {"identity","digest"}
-- ARGV[2]  the state key prefix (sidepunch:periodic:)
-- ARGV[3+3(i-1)]  entry i's name
-- ARGV[4+3(i-1)]  entry i's definition (JSON text)
-- ARGV[5+3(i-1)]  entry i's latest tick at or before now, epoch seconds; '' when it has none
--
-- Returns { added, changed, removed }.
local declared = {}
local added, changed, removed = 0, 0, 0
for i = 3, #ARGV, 3 do
  declared[ARGV[i]] = true
  local stored = redis.call('HGET', KEYS[1], ARGV[i])
  if stored ~= ARGV[i + 1] then
    if stored then
      changed = changed + 1
      -- A stored definition that is not JSON (written by hand) is replaced like any other; its ticks are kept due.
      local read, before = pcall(cjson.decode, stored)
      local after = cjson.decode(ARGV[i + 1])
      local rescheduled = read and type(before) == 'table' and (before.cron ~= after.cron or before.tz ~= after.tz)
      local state = ARGV[2] .. ARGV[i]
      local through = tonumber(redis.call('HGET', state, 'paused_through') or '-1')
      if rescheduled and ARGV[i + 2] ~= '' and tonumber(ARGV[i + 2]) > through then
        redis.call('HSET', state, 'paused_through', ARGV[i + 2])
      end
    else
      added = added + 1
    end
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not declared[name] then
    redis.call('HDEL', KEYS[1], name)
    redis.call('DEL', ARGV[2] .. name)
    removed = removed + 1
  end
end
redis.call('SET', KEYS[2], ARGV[1])
return { added, changed, removed }
