-- debounce-push: push a debounced job to the schedule set, or fold it into the job of the same digest that is still
-- waiting there (docs/unique-and-limits.md). The debounce key holds the pending job's payload, byte for byte as it
-- sits in the schedule set: that job is pending only while the schedule set still holds it (a process may have
-- moved it to its queue, or the data API deleted it), so the key can never hold back a push on its own.
--
-- KEYS[1]  the debounce key (sidepunch:debounce:<digest>)
-- KEYS[2]  the schedule set
-- ARGV[1]  the new job's payload
-- ARGV[2]  epoch seconds it would run at (its own time: the push's `at`, else now + `for`)
-- ARGV[3]  'last' (the pending job takes the new payload) or 'first' (it keeps its own)
-- ARGV[4]  '1' to move the pending job's time to ARGV[2], '0' to leave it
-- ARGV[5]  now, epoch seconds
-- ARGV[6]  milliseconds the key outlives the job's time (when no process moves it on time)
--
-- Returns {code, pending payload, run-at}: code 1 = pushed (no job was pending; pending payload ''), 2 = the new
-- payload replaced the pending one, 3 = the pending one kept (its time moved when ARGV[4] is '1'). run-at is the
-- score the job now waits for (a string).
local pending = redis.call('GET', KEYS[1])
local score = pending and redis.call('ZSCORE', KEYS[2], pending)
local function remember(payload, at)
  local ms = math.ceil((tonumber(at) - tonumber(ARGV[5])) * 1000) + tonumber(ARGV[6])
  redis.call('SET', KEYS[1], payload, 'PX', math.max(ms, 1))
end
if not score then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  remember(ARGV[1], ARGV[2])
  return {1, '', ARGV[2]}
end
local at = score
if ARGV[4] == '1' then at = ARGV[2] end
if ARGV[3] == 'last' then
  redis.call('ZREM', KEYS[2], pending)
  redis.call('ZADD', KEYS[2], at, ARGV[1])
  remember(ARGV[1], at)
  return {2, pending, at}
end
if at ~= score then
  redis.call('ZADD', KEYS[2], at, pending)
  remember(pending, at)
end
return {3, pending, at}
