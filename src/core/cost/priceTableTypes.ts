/** The generated exact regional prices (tools/pricing/refreshPriceTable.ts). */
export interface RegionalPriceTable {
  source: string;
  regions: Record<
    string,
    {
      fetchedAt: string;
      publicationDate?: string;
      ec2Hourly: Record<string, number>;
      ebsPerGbMonth: Record<string, number>;
    }
  >;
}
