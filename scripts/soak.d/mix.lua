-- wrk script for scripts/soak: each request is drawn from a readers' mix (half article pages, then the home
-- page, searches, the feed and addresses that do not exist), from an address of its own (the server trusts
-- the load generator as a proxy, so per-address limits apply to the readers, not to the generator). Prints
-- one machine-readable line at the end with the figures and the answers that were not expected.
local articles, words = {}, {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do articles[#articles + 1] = line end
  for line in io.lines(args[2]) do words[#words + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  ok, missing, unexpected = 0, 0, 0
end

function request()
  local draw = math.random(100)
  local path
  if draw <= 50 then
    path = articles[math.random(#articles)]
  elseif draw <= 65 then
    path = "/"
  elseif draw <= 80 then
    path = "/search?q=" .. words[math.random(#words)]
  elseif draw <= 90 then
    path = "/feed.xml"
  else
    path = "/no-such-page-" .. math.random(1000000)
  end
  local reader = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("GET", path, { ["X-Forwarded-For"] = reader, ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) soak" })
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 404 then
    missing = missing + 1
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local totals = { ok = 0, missing = 0, unexpected = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d ok=%d missing=%d unexpected=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, totals.ok, totals.missing, totals.unexpected, errors))
end
