-- requeue: give every job in a process's in-progress list back to its queue, unchanged, to run next.
-- Used at shutdown for jobs that did not finish in time, and for jobs taken but never started.
--
-- KEYS[1]  in-progress list of this process for one queue
-- KEYS[2]  that queue's list (queue:<q>)
--
-- Returns how many jobs were moved. The oldest taken ends at the queue's right end: the next one fetched.
local moved = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do
  moved = moved + 1
end
return moved
