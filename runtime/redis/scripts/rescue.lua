-- rescue: give the jobs of a dead process's in-progress list back to the front of their queue.
-- A job rescued more than the allowed number of times probably kills its process (a poison pill): it is left in
-- the in-progress list and returned, for the caller to move to the dead set.
--
-- KEYS[1]  the dead process's in-progress list for one queue
-- KEYS[2]  that queue's list (queue:<q>)
-- ARGV[1]  how many rescues a job may have before it counts as a poison pill
-- ARGV[2]  key prefix of the per-job rescue counters (the SHA-1 of the payload is appended)
-- ARGV[3]  seconds a rescue counter lives
--
-- Returns the poison pills, still in KEYS[1]. Every other job is at the right end of the queue (next to run).
local max_rescues = tonumber(ARGV[1])
local poison = {}
local jobs = redis.call('LRANGE', KEYS[1], 0, -1)
-- The list holds the newest taken at its left: push newest first, so the oldest ends at the far right, next to run.
for i = 1, #jobs do
  local job = jobs[i]
  local counter = ARGV[2] .. redis.sha1hex(job)
  local rescues = redis.call('INCR', counter)
  redis.call('EXPIRE', counter, tonumber(ARGV[3]))
  if rescues > max_rescues then
    poison[#poison + 1] = job
  else
    redis.call('LREM', KEYS[1], -1, job)
    redis.call('RPUSH', KEYS[2], job)
  end
end
return poison
