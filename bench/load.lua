-- wrk script for bench/load.py: therapists adding homework, all at once, to the same few
-- visits. Each request POSTs the "Add to homework" form for a visit and an exercise picked
-- at random from the lists bench/load.py hands over in the environment:
--
--   LOAD_PATHS    space-separated /visits/<pk>/homework/add/<exercise_pk>/ paths
--   LOAD_COOKIE   the Cookie header of a logged-in therapist (session and CSRF cookies)
--   LOAD_CSRF     the CSRF secret the form carries
--   LOAD_ORIGIN   https://127.0.0.1:<port>, for the Referer Django checks on HTTPS
--
-- Every answer is counted by status: 302 (added), 400 (the visit already has two items, or
-- already has this exercise), anything else is an error. bench/load.py reads the tallies
-- from the last line done() prints.

local paths = {}
for path in string.gmatch(os.getenv("LOAD_PATHS") or "", "%S+") do
  paths[#paths + 1] = path
end

local body = "how_often=daily&sets=2&reps=10&hold_seconds=&minutes=&times_per_week=&note=Gently&csrfmiddlewaretoken="
  .. (os.getenv("LOAD_CSRF") or "")

added, full, other, server_errors = 0, 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("LOAD_COOKIE")
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
  local path = paths[math.random(#paths)]
  wrk.headers["Referer"] = os.getenv("LOAD_ORIGIN") .. path
  return wrk.format(nil, path)
end

function response(status, headers, body)
  if status == 302 then
    added = added + 1
  elseif status == 400 then
    full = full + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = { added = 0, full = 0, other = 0, server_errors = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  io.write(string.format("TALLY added=%d full=%d other=%d server_errors=%d\n",
    totals.added, totals.full, totals.other, totals.server_errors))
end
