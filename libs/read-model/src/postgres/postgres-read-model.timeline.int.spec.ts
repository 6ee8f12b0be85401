import { describeTimelineScenarios } from '../spec/timeline.scenarios';
import { dropTestSchemas, postgresBackend } from '../spec/postgres-backend';

jest.setTimeout(60_000);
afterAll(() => dropTestSchemas());

describeTimelineScenarios(postgresBackend());
