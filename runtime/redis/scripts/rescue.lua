-- rescue: give the jobs of a dead process's in-progress list back, counting each rescue of each job.
-- Two modes, by where the jobs were when their process died:
--   'shared': taken beside other jobs (buffered or running together), so any of them may have killed the
--             process. A job rescued for the second time or more is a suspect: it goes to the suspects list, to
--             run alone next time; the others go back to the front of their queue. None is condemned here.
--   'alone':  the one job the process was running alone: it is the culprit. Rescued more than the allowed number
--             of times, it is a poison pill: left in the list and returned, for the caller to move to the dead set;
--             otherwise it goes back to the suspects list.
--
-- KEYS[1]  the dead process's list (an in-progress list, or its list of the suspect it ran alone)
-- KEYS[2]  the queue's list (queue:<q>)
-- KEYS[3]  the queue's suspects list (same hash slot: both carry {queue:<q>})
-- ARGV[1]  'shared' or 'alone'
-- ARGV[2]  how many rescues a job may have before it counts as a poison pill
-- ARGV[3]  key prefix of the per-job rescue counters (the SHA-1 of the payload is appended)
-- ARGV[4]  seconds a rescue counter lives
-- ARGV[5]  from which rescue on a shared job becomes a suspect
--
-- Returns the poison pills, still in KEYS[1]. Every other job is at the right end (next to run) of its list.
local alone = ARGV[1] == 'alone'
local max_rescues = tonumber(ARGV[2])
local suspect_from = tonumber(ARGV[5])
local poison = {}
local jobs = redis.call('LRANGE', KEYS[1], 0, -1)
-- The list holds the newest taken at its left: push newest first, so the oldest ends at the far right, next to run.
for i = 1, #jobs do
  local job = jobs[i]
  local counter = ARGV[3] .. redis.sha1hex(job)
  local rescues = redis.call('INCR', counter)
  redis.call('EXPIRE', counter, tonumber(ARGV[4]))
  if alone and rescues > max_rescues then
    poison[#poison + 1] = job
  else
    redis.call('LREM', KEYS[1], -1, job)
    if alone or rescues >= suspect_from then
      redis.call('RPUSH', KEYS[3], job)
    else
      redis.call('RPUSH', KEYS[2], job)
    end
  end
end
return poison
