import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, HttpException, Req, Res } from '@nestjs/common';
import { activeTelemetry } from '@approvals/telemetry/start';

/** The process's metrics in the Prometheus text format, from the OpenTelemetry Prometheus exporter. */
@Controller()
export class MetricsController {
  @Get('metrics')
  metrics(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    const prometheus = activeTelemetry()?.prometheus;
    if (!prometheus) {
      throw new HttpException(
        {
          type: 'about:blank',
          title: 'metrics are not served here',
          status: 404,
          detail: 'OTEL_METRICS_EXPORTER does not include "prometheus" (or OTEL_SDK_DISABLED is true); see docs/telemetry.md',
        },
        404,
      );
    }
    prometheus.getMetricsRequestHandler(request, response);
  }
}
