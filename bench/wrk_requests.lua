-- wrk script: replay pre-signed WeChat deliveries (two lines each: path?query, then body),
-- every thread taking its own share so no MsgId is sent twice.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests_ = {}
  local f = assert(io.open(os.getenv("BENCH_REQUESTS"), "r"))
  while true do
    local path = f:read("*l")
    if not path then break end
    local body = f:read("*l")
    requests_[#requests_ + 1] = wrk.format("POST", path, {["Content-Type"] = "text/xml"}, body)
  end
  f:close()
  step_ = tonumber(os.getenv("BENCH_THREADS"))
  index_ = tid
end

function request()
  local r = requests_[(index_ % #requests_) + 1]
  index_ = index_ + step_
  return r
end
