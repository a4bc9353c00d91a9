-- wrk script for bench/load.py: clients using their own link pages while the page is under
-- load. Each request picks one client's link at random from the list bench/load.py hands
-- over, and one thing a client does there: ticks today's item, says how it felt, leaves a
-- word on the week, or sets their reminders (a time and days; no email, so nothing waits
-- on a mail server). No cookie and no CSRF token: the link is the secret (link_views.check_in).
--
--   LOAD_FEEDBACK  space-separated "path|item|visit" for each client's link
--   LOAD_TODAY     the server's date, YYYY-MM-DD, for the tick and the feeling
--
-- Every answer is counted: 302 (done, back to the page) is the only right one; a 5xx, a
-- 429 (a throttle met) or anything else is an error. bench/load.py reads the tallies from
-- the last line done() prints.

local links = {}
for entry in string.gmatch(os.getenv("LOAD_FEEDBACK") or "", "%S+") do
  local path, item, visit = string.match(entry, "([^|]+)|(%d+)|(%d+)")
  links[#links + 1] = { path = path, item = item, visit = visit }
end
local today = os.getenv("LOAD_TODAY") or ""

done_, throttled, other, server_errors = 0, 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + id * 104729)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["X-Forwarded-Proto"] = "https"
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
end

local feelings = { "easier", "same", "hurt" }

function request()
  local link = links[math.random(#links)]
  local what = math.random(4)
  if what == 1 then
    return wrk.format(nil, link.path .. "done/", nil, "action=done&day=" .. today .. "&item=" .. link.item)
  elseif what == 2 then
    return wrk.format(nil, link.path .. "feeling/", nil,
      "feeling=" .. feelings[math.random(#feelings)] .. "&day=" .. today .. "&item=" .. link.item)
  elseif what == 3 then
    return wrk.format(nil, link.path .. "word/", nil, "word=not-today&note=Busy+week&visit=" .. link.visit)
  else
    local hour = string.format("%02d", 6 + math.random(14))
    return wrk.format(nil, link.path .. "reminders/", nil,
      "at=" .. hour .. "%3A30&days=0&days=2&days=4&time_zone=Europe%2FLondon")
  end
end

function response(status, headers, body)
  if status == 302 then
    done_ = done_ + 1
  elseif status == 429 then
    throttled = throttled + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = { done_ = 0, throttled = 0, other = 0, server_errors = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  io.write(string.format("TALLY done=%d throttled=%d other=%d server_errors=%d\n",
    totals.done_, totals.throttled, totals.other, totals.server_errors))
end
