-- The task scenarios of bench/tasks.sh. BENCH_TOKENS names a file with one line per user:
-- "access-token task-id task-id ...". BENCH_SCENARIO chooses the request:
--   get     GET /api/v1/tasks/{id} of one of the user's own tasks
--   list    GET /api/v1/tasks?sort=due (the first page of 20)
--   search  GET /api/v1/tasks/search?q=<one or two words> (BENCH_TOKENS has the one big user)
--   create  POST /api/v1/tasks with a small body
--   create-reminder  the same with one reminder (30 minutes before its due time)
local users = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  local fields = {}
  for field in line:gmatch("%S+") do fields[#fields + 1] = field end
  if #fields > 0 then
    users[#users + 1] = { token = fields[1], ids = { (table.unpack or unpack)(fields, 2) } }
  end
end
local scenario = os.getenv("BENCH_SCENARIO") or "get"
-- BENCH_PACE_MS: each connection waits that long after an answer before its next request (a
-- paced reader, at most connections * 1000 / BENCH_PACE_MS requests a second); unset, flat out.
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")
if pace > 0 then
  delay = function() return pace end
end
local words = { "review", "invoice", "dentist", "garden budget", "report", "call", "tax",
                "quarterly report", "server backup", "birthday", "passport renewal", "plumber" }
local counter = 0

function setup(thread)
  thread:set("offset", math.random(1, 1000))
end

request = function()
  counter = counter + 1
  local user = users[((counter + (offset or 0)) % #users) + 1]
  local headers = { ["Authorization"] = "Bearer " .. user.token }
  if scenario == "get" then
    local id = user.ids[(counter % #user.ids) + 1]
    return wrk.format("GET", "/api/v1/tasks/" .. id, headers)
  elseif scenario == "list" then
    return wrk.format("GET", "/api/v1/tasks?sort=due", headers)
  elseif scenario == "search" then
    local q = words[(counter % #words) + 1]:gsub(" ", "%%20")
    return wrk.format("GET", "/api/v1/tasks/search?q=" .. q, headers)
  else
    headers["Content-Type"] = "application/json"
    local reminder = ""
    if scenario == "create-reminder" then
      reminder = ',"reminders":[{"before_minutes":30}]'
    end
    local body = '{"title":"bench task ' .. counter .. '","priority":"high","tags":["bench"],'
        .. '"due_at":"2027-01-15T09:00:00Z"' .. reminder .. '}'
    return wrk.format("POST", "/api/v1/tasks", headers, body)
  end
end
