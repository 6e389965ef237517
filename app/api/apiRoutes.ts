// Every API route module, by its path: the OpenAPI document (openapi.json/route.ts) is built from these,
// and tests/unit/openapi.test.ts fails when a route.ts under app/api is missing here.
import type { RouteModule } from '@/lib/http/openapi';
import * as agentsById from './agents/[id]/route';
import * as agents from './agents/route';
import * as approvalLinksByToken from './approval-links/[token]/route';
import * as approvalsById from './approvals/[id]/route';
import * as approvals from './approvals/route';
import * as authSession from './auth/session/route';
import * as costsExport from './costs/export/route';
import * as costs from './costs/route';
import * as executionsByIdCancel from './executions/[id]/cancel/route';
import * as executionsByIdContinue from './executions/[id]/continue/route';
import * as executionsByIdEvents from './executions/[id]/events/route';
import * as executionsByIdLogs from './executions/[id]/logs/route';
import * as executionsByIdRerun from './executions/[id]/rerun/route';
import * as executionsById from './executions/[id]/route';
import * as executions from './executions/route';
import * as healthReportsLatest from './health-reports/latest/route';
import * as healthReports from './health-reports/route';
import * as metrics from './metrics/route';
import * as notificationChannelsById from './notification-channels/[id]/route';
import * as notificationChannelsByIdTest from './notification-channels/[id]/test/route';
import * as notificationChannels from './notification-channels/route';
import * as notificationDeliveries from './notification-deliveries/route';
import * as notificationConditions from './notifications/conditions/route';
import * as schedulesByIdFirings from './schedules/[id]/firings/route';
import * as schedulesById from './schedules/[id]/route';
import * as schedulesByIdRun from './schedules/[id]/run/route';
import * as schedulesPreview from './schedules/preview/route';
import * as schedules from './schedules/route';
import * as settings from './settings/route';
import * as system from './system/route';
import * as workersLoad from './workers/load/route';
import * as workers from './workers/route';
import * as workflowRunsByIdCancel from './workflow-runs/[id]/cancel/route';
import * as workflowRunsById from './workflow-runs/[id]/route';
import * as workflowRuns from './workflow-runs/route';
import * as workflowsById from './workflows/[id]/route';
import * as workflowsByIdRuns from './workflows/[id]/runs/route';
import * as workflows from './workflows/route';

export const API_ROUTES: Record<string, RouteModule> = {
  '/api/agents': agents,
  '/api/agents/[id]': agentsById,
  '/api/approval-links/[token]': approvalLinksByToken,
  '/api/approvals': approvals,
  '/api/approvals/[id]': approvalsById,
  '/api/auth/session': authSession,
  '/api/costs': costs,
  '/api/costs/export': costsExport,
  '/api/executions': executions,
  '/api/executions/[id]': executionsById,
  '/api/executions/[id]/cancel': executionsByIdCancel,
  '/api/executions/[id]/continue': executionsByIdContinue,
  '/api/executions/[id]/events': executionsByIdEvents,
  '/api/executions/[id]/logs': executionsByIdLogs,
  '/api/executions/[id]/rerun': executionsByIdRerun,
  '/api/health-reports': healthReports,
  '/api/health-reports/latest': healthReportsLatest,
  '/api/metrics': metrics,
  '/api/notification-channels': notificationChannels,
  '/api/notification-channels/[id]': notificationChannelsById,
  '/api/notification-channels/[id]/test': notificationChannelsByIdTest,
  '/api/notification-deliveries': notificationDeliveries,
  '/api/notifications/conditions': notificationConditions,
  '/api/schedules': schedules,
  '/api/schedules/[id]': schedulesById,
  '/api/schedules/[id]/firings': schedulesByIdFirings,
  '/api/schedules/[id]/run': schedulesByIdRun,
  '/api/schedules/preview': schedulesPreview,
  '/api/settings': settings,
  '/api/system': system,
  '/api/workflow-runs': workflowRuns,
  '/api/workflow-runs/[id]': workflowRunsById,
  '/api/workflow-runs/[id]/cancel': workflowRunsByIdCancel,
  '/api/workflows': workflows,
  '/api/workflows/[id]': workflowsById,
  '/api/workflows/[id]/runs': workflowsByIdRuns,
  '/api/workers': workers,
  '/api/workers/load': workersLoad,
};
