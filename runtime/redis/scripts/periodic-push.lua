-- periodic-push: push a tick's job that its claim held for client middleware (periodic-enqueue.lua), once: only
-- while the state still holds it as pending under the jid it was claimed with (`pending_job:<jid>`), so that the
-- claimer and a process pushing it for a claimer that died never both push it. A unique job takes its lock here, as
-- unique-push.lua does. The entry's `last_jid` names the job only if its tick is still the entry's last: a chain
-- that finished after a later tick was claimed leaves that tick's job as the entry's last run.
--
-- KEYS[1]  the entry's state hash (sidepunch:periodic:<name>)
-- KEYS[2]  the queues set
-- KEYS[3]  the queue list (queue:<q>), as the middleware left it
-- KEYS[4]  the job's unique lock (unique:<digest>); unused for a job that is not unique
-- ARGV[1]  the jid the tick was claimed with
-- ARGV[2]  the job, as it goes onto the queue; '' when a client middleware stopped its push
-- ARGV[3]  the queue's name
-- ARGV[4]  milliseconds the unique lock lives, or '' for a job that is not unique
-- ARGV[5]  the job's jid as pushed
-- ARGV[6]  the job's tick, epoch seconds
--
-- Returns 1 (pushed), 0 (no longer pending: pushed already, or the entry was removed), -3 (the middleware stopped
-- it: the tick stays used up), 3 (a pending job holds the unique lock: nothing pushed).
if redis.call('HDEL', KEYS[1], 'pending_job:' .. ARGV[1], 'pending_by:' .. ARGV[1]) == 0 then return 0 end
if ARGV[2] == '' then return -3 end
local latest = tonumber(redis.call('HGET', KEYS[1], 'last_tick') or '-1') == tonumber(ARGV[6])
if ARGV[4] ~= '' and not redis.call('SET', KEYS[4], ARGV[5], 'NX', 'PX', ARGV[4]) then
  if latest then redis.call('HSET', KEYS[1], 'last_jid', redis.call('GET', KEYS[4]) or '') end
  return 3
end
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('LPUSH', KEYS[3], ARGV[2])
if latest then redis.call('HSET', KEYS[1], 'last_jid', ARGV[5]) end
return 1
