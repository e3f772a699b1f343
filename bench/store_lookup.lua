-- wrk script for bench/bench_store.sh: GET /api/counties/{county} with the
-- Bearer token from $PRECINCT_TOKEN, cycling through the demo counties.
local token = os.getenv("PRECINCT_TOKEN")
local counties = { "Alder", "Birch", "Cedar", "Dogwood", "Elm" }
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/counties/" .. counties[n % #counties + 1],
                    { ["Authorization"] = "Bearer " .. token })
end
