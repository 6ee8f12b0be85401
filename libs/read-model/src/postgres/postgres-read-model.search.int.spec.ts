import { describeSearchOrderScenarios, describeSearchScenarios } from '../spec/search.scenarios';
import { dropTestSchemas, postgresBackend } from '../spec/postgres-backend';

jest.setTimeout(60_000);
afterAll(() => dropTestSchemas());

describeSearchScenarios(postgresBackend());
describeSearchOrderScenarios(postgresBackend());
