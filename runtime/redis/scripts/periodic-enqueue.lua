-- periodic-enqueue: claim one tick of a periodic entry and push its job, in one atomic step, so that however many
-- processes try the same tick, exactly one job is pushed, and no tick is ever claimed without its job. A tick is
-- claimed only if it is later than the entry's last one and than the last tick that passed while it was paused
-- (`paused_through`, periodic-pause.lua), and only by a process whose definition of the entry is the one stored
-- (during a rolling deploy, the version that wrote the entry set last runs it).
-- A unique entry's job takes its lock in the same step (as unique-push.lua does); when a pending job holds it, the
-- tick is claimed and nothing is pushed. With client middleware to run, the claimer asks to hold the job instead:
-- the claim records it as pending, under its jid with the claimer's identity, and periodic-push.lua pushes it once
-- the chain has run (or another process does, should the claimer die first). Each held job has fields of its own,
-- so a later tick claimed meanwhile (a slow chain, a claimer dead and not yet noticed) leaves it held.
--
-- KEYS[1]  the periodic definitions hash (sidepunch:periodic)
-- KEYS[2]  the entry's state hash (sidepunch:periodic:<name>)
-- KEYS[3]  the queues set
-- KEYS[4]  the queue list (queue:<q>)
-- KEYS[5]  the job's unique lock (unique:<digest>); unused for a job that is not unique
-- ARGV[1]  the entry's name
-- ARGV[2]  its definition as the caller knows it (JSON text)
-- ARGV[3]  the tick, epoch seconds
-- ARGV[4]  the job, as it goes onto the queue
-- ARGV[5]  its jid
-- ARGV[6]  the queue's name
-- ARGV[7]  now, epoch seconds
-- ARGV[8]  milliseconds the unique lock lives, or '' for a job that is not unique
-- ARGV[9]  the claimer's identity, to hold the job for client middleware; '' to push it now
--
-- Returns 1 (pushed), 2 (claimed and held: the caller pushes it), 3 (claimed; a pending job holds the unique lock,
-- nothing pushed), 0 (this tick or a later one was claimed already, or passed while the entry was paused), -1 (the
-- stored definition differs, or the entry is no longer declared), -2 (the entry is paused).
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return -1 end
if redis.call('HEXISTS', KEYS[2], 'paused') == 1 then return -2 end
local state = redis.call('HMGET', KEYS[2], 'last_tick', 'paused_through')
local tick = tonumber(ARGV[3])
if tick <= tonumber(state[1] or '-1') or tick <= tonumber(state[2] or '-1') then return 0 end
redis.call('HSET', KEYS[2], 'last_tick', ARGV[3], 'last_jid', ARGV[5], 'last_enqueued_at', ARGV[7])
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[2], 'pending_job:' .. ARGV[5], ARGV[4], 'pending_by:' .. ARGV[5], ARGV[9])
  return 2
end
if ARGV[8] ~= '' and not redis.call('SET', KEYS[5], ARGV[5], 'NX', 'PX', ARGV[8]) then
  redis.call('HSET', KEYS[2], 'last_jid', redis.call('GET', KEYS[5]) or '')
  return 3
end
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('LPUSH', KEYS[4], ARGV[4])
return 1
