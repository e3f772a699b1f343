-- wrk script for bench/voters_lookup: POST /api/lookup with bodies read from
-- $LOOKUP_BODIES (lines "F <json>" for voters on the roll; lookups that match
-- nobody: "D <json>" a real name with the wrong birth date, "N <json>" a name
-- not on the roll). $LOOKUP_MODE picks found (F), missing (D and N),
-- wrongdob (D), noname (N) or mixed (all).
local mode = os.getenv("LOOKUP_MODE") or "mixed"
local bodies = {}
for line in io.lines(os.getenv("LOOKUP_BODIES")) do
  local kind, json = line:sub(1, 1), line:sub(3)
  if mode == "mixed" or (mode == "found" and kind == "F") or (mode == "missing" and kind ~= "F")
     or (mode == "wrongdob" and kind == "D") or (mode == "noname" and kind == "N") then
    bodies[#bodies + 1] = json
  end
end
local n = 0
local headers = { ["Content-Type"] = "application/json" }
function setup(thread)
  thread:set("offset", math.random(1, #bodies))
end
request = function()
  n = n + 1
  return wrk.format("POST", "/api/lookup", headers, bodies[(n + (offset or 0)) % #bodies + 1])
end
