// The Cost Explorer seeding helper lives in tools/seed (the demo seeds with it too).
export { groupedResult, seedCostResults, type SeedGroup } from '../../tools/seed/costResults';
