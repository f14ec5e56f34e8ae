-- rescue: give the jobs of a dead process's list back, counting each crash each job was in.
-- Two modes, by where the jobs were when their process died, each with its own per-job counter:
--   'shared': taken beside other jobs (buffered or running together), so any of them may have killed the
--             process: the job was near a crash. Near a crash for the suspect_from-th time or more, it is a suspect:
--             it goes to the suspects list, to run alone next time; otherwise back to the front of its queue. Near
--             crashes decide suspicion only: none is condemned here, however many.
--   'alone':  the one job the process was running alone: it is the culprit, and only these crashes count toward
--             the dead set. Past the allowed number, it is a poison pill: left in the list and returned, for the
--             caller to move to the dead set; otherwise it goes back to the suspects list.
--
-- KEYS[1]  the dead process's list (an in-progress list, or its list of the suspect it ran alone)
-- KEYS[2]  the queue's list (queue:<q>)
-- KEYS[3]  the queue's suspects list (same hash slot: both carry {queue:<q>})
-- ARGV[1]  'shared' or 'alone'
-- ARGV[2]  how many crashes while running alone a job survives; one more makes it a poison pill
-- ARGV[3]  key prefix of the per-job counters of crashes near ('shared'); the SHA-1 of the payload is appended
-- ARGV[4]  key prefix of the per-job counters of crashes while running alone ('alone')
-- ARGV[5]  seconds a counter lives
-- ARGV[6]  from which crash near a shared job becomes a suspect
--
-- Returns the poison pills, still in KEYS[1]. Every other job is at the right end (next to run) of its list.
local alone = ARGV[1] == 'alone'
local survivable = tonumber(ARGV[2])
local prefix = alone and ARGV[4] or ARGV[3]
local suspect_from = tonumber(ARGV[6])
local poison = {}
local jobs = redis.call('LRANGE', KEYS[1], 0, -1)
-- The list holds the newest taken at its left: push newest first, so the oldest ends at the far right, next to run.
for i = 1, #jobs do
  local job = jobs[i]
  local counter = prefix .. redis.sha1hex(job)
  local crashes = redis.call('INCR', counter)
  redis.call('EXPIRE', counter, tonumber(ARGV[5]))
  if alone and crashes > survivable then
    poison[#poison + 1] = job
  else
    redis.call('LREM', KEYS[1], -1, job)
    if alone or crashes >= suspect_from then
      redis.call('RPUSH', KEYS[3], job)
    else
      redis.call('RPUSH', KEYS[2], job)
    end
  end
end
return poison
