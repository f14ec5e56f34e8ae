-- unique-push: take a unique job's lock and push the job, in one step, or push nothing when another job holds the
-- lock (docs/unique-and-limits.md). The lock holds the jid of the job that took it and expires on its own.
--
-- KEYS[1]  the lock (unique:<digest>)
-- KEYS[2]  the queues set
-- KEYS[3]  the destination: the queue list (queue:<q>) for a job due now, the schedule set for a job for later
-- ARGV[1]  the job's jid
-- ARGV[2]  milliseconds the lock lives (`for`, plus the delay of a scheduled job)
-- ARGV[3]  the queue's name (added to the queues set for a job due now)
-- ARGV[4]  epoch seconds to run at, or '' for a job due now
-- ARGV[5]  the payload
--
-- Returns 1 when the job was pushed, else the jid of the job holding the lock (a string).
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('GET', KEYS[1]) or ''
end
if ARGV[4] == '' then
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('LPUSH', KEYS[3], ARGV[5])
else
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
end
return 1
