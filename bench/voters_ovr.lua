-- wrk script for bench/voters_ovr: POST /register with a unique, valid
-- application per request (names and address carry the thread and request
-- number), counting 2xx / 503 / other answers per thread and keeping every
-- confirmation number a 2xx page showed. done() prints the counts and writes
-- the numbers to $OVR_ACKS, so the script can check each one is stored.
local counties = { "Alder", "Birch", "Cedar", "Dogwood", "Elm" }
local threads = {}
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  ok, busy, other = 0, 0, 0
  acks = {}
end

request = function()
  n = n + 1
  local body = "kind=new&lang=en&first_name=BENCH" .. tid .. "&last_name=VOTER" .. n ..
    "&dob_day=" .. (n % 28 + 1) .. "&dob_month=" .. (n % 12 + 1) .. "&dob_year=" .. (1940 + n % 60) ..
    "&res_street_address=" .. n .. "+MAIN+ST&res_city=ALDER&res_zip=27" .. string.format("%03d", n % 1000) ..
    "&county=" .. counties[n % #counties + 1] .. "&party=UNA&drivers_license=B" .. tid .. "X" .. n ..
    "&citizenship=1"
  return wrk.format("POST", "/register", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

response = function(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    local number = string.match(body, 'id="confirmation%-number">([0-9A-Z%-]+)<')
    if number then acks[#acks + 1] = number end
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_busy, total_other = 0, 0, 0
  local out = io.open(os.getenv("OVR_ACKS") or "/dev/null", "w")
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_busy = total_busy + thread:get("busy")
    total_other = total_other + thread:get("other")
    local list = thread:get("acks")
    for i = 1, #list do out:write(list[i], "\n") end
  end
  out:close()
  io.write(string.format("answers: 2xx %d, 503 %d, other %d, socket errors %d\n", total_ok, total_busy, total_other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
