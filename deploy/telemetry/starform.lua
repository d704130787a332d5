-- Fluent Bit filter: a container log record with Kubernetes metadata becomes Starbase's LogLine.
function to_logline(tag, timestamp, record)
  local k = record["kubernetes"] or {}
  local labels = k["labels"] or {}
  local stream = record["stream"] == "stderr" and "stderr" or "stdout"
  local line = record["log"] or record["message"] or ""
  local out = {
    ts = os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(timestamp)),
    workspace = labels["starform.dev/workspace"],
    app = labels["starform.dev/app"],
    environment = labels["starform.dev/environment"],
    release = labels["starform.dev/release"],
    replica = k["pod_name"],
    stream = stream,
    line = string.sub(line, 1, 65536),
  }
  if out.workspace == nil or out.app == nil then
    return -1, timestamp, record
  end
  return 1, timestamp, out
end
