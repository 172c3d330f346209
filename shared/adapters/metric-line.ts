import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '#domain/table-facts';

/**
 * One metric as one embedded-metric-format line on stdout, in the namespace and with the one
 * dimension the table-facts consumer uses (Powertools Metrics there). For functions outside the
 * stream that emit a metric or two: the library would add ≈ 11 KB to their bundle, this a few
 * hundred bytes. CloudWatch Logs turns the line into the metric; locally it is a log line.
 */
export function emitMetric(name: MetricName, value: number, now = new Date()): void {
  const line = {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service']],
          Metrics: [{ Name: name, Unit: METRICS[name] }],
        },
      ],
    },
    service: METRICS_SERVICE,
    [name]: value,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
