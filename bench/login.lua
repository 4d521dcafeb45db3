-- POST /api/v1/auth/login for random seeded users (bench-N@example.com, N < BENCH_USERS).
-- BENCH_LOGIN_MODE: "valid" (default), "wrong-password" or "unknown-email".
local users = tonumber(os.getenv("BENCH_USERS") or "1000")
local password = os.getenv("BENCH_PASSWORD")
local mode = os.getenv("BENCH_LOGIN_MODE") or "valid"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  local n = math.random(0, users - 1)
  local email = "bench-" .. n .. "@example.com"
  local pw = password
  if mode == "wrong-password" then
    pw = password .. "-wrong"
  elseif mode == "unknown-email" then
    email = "nobody-" .. n .. "@example.com"
  end
  return wrk.format(nil, nil, nil,
    '{"email":"' .. email .. '","password":"' .. pw .. '"}')
end
