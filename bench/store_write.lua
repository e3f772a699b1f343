-- wrk script for bench/bench_store.sh: PATCH /api/counties/{county} with a
-- unique office_address per request (an audited write transaction each),
-- Bearer token from $PRECINCT_TOKEN, cycling through the demo counties.
local token = os.getenv("PRECINCT_TOKEN")
local counties = { "Alder", "Birch", "Cedar", "Dogwood", "Elm" }
local n = 0
local id = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  return wrk.format("PATCH", "/api/counties/" .. counties[n % #counties + 1],
                    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
                    '{"office_address":"bench ' .. id .. ' ' .. n .. '"}')
end
