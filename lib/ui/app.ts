export async function runDashboard(_s: unknown): Promise<number> { return 1; }
