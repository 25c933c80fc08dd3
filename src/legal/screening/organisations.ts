/**
 * Organisations whose names campaigns borrow most (energy, finance, tech,
 * food, arms, public bodies), each with the stems its domains use. The list
 * is a starting point: hosts add the names their members campaign about.
 */
export interface Organisation {
  name: string;
  /** ASCII stems as they appear in domains; the first is the main one */
  stems: string[];
}

const LIST: [string, ...string[]][] = [
  ['ExxonMobil', 'exxonmobil', 'exxon', 'mobil'],
  ['Shell', 'shell'],
  ['BP', 'bp'],
  ['Chevron', 'chevron'],
  ['TotalEnergies', 'totalenergies'],
  ['Repsol', 'repsol'],
  ['Cepsa / Moeve', 'cepsa', 'moeve'],
  ['Iberdrola', 'iberdrola'],
  ['Endesa', 'endesa'],
  ['Naturgy', 'naturgy'],
  ['Pemex', 'pemex'],
  ['Petrobras', 'petrobras'],
  ['Ecopetrol', 'ecopetrol'],
  ['YPF', 'ypf'],
  ['Equinor', 'equinor'],
  ['Eni', 'eni'],
  ['Glencore', 'glencore'],
  ['Rio Tinto', 'riotinto'],
  ['BHP', 'bhp'],
  ['Cargill', 'cargill'],
  ['Bayer', 'bayer'],
  ['Monsanto', 'monsanto'],
  ['Syngenta', 'syngenta'],
  ['Nestlé', 'nestle'],
  ['Danone', 'danone'],
  ['Unilever', 'unilever'],
  ['Coca-Cola', 'cocacola', 'coca-cola', 'coke'],
  ['PepsiCo', 'pepsico', 'pepsi'],
  ["McDonald's", 'mcdonalds'],
  ['Starbucks', 'starbucks'],
  ['Walmart', 'walmart'],
  ['Amazon', 'amazon'],
  ['Google', 'google'],
  ['Meta', 'facebook', 'instagram', 'whatsapp'],
  ['Apple', 'apple'],
  ['Microsoft', 'microsoft'],
  ['X / Twitter', 'twitter'],
  ['Tesla', 'tesla'],
  ['Uber', 'uber'],
  ['Netflix', 'netflix'],
  ['Disney', 'disney'],
  ['PayPal', 'paypal'],
  ['Nike', 'nike'],
  ['Adidas', 'adidas'],
  ['Inditex / Zara', 'inditex', 'zara'],
  ['H&M', 'hm'],
  ['Primark', 'primark'],
  ['Shein', 'shein'],
  ['IKEA', 'ikea'],
  ['Mercadona', 'mercadona'],
  ['El Corte Inglés', 'elcorteingles', 'corteingles'],
  ['Carrefour', 'carrefour'],
  ['Lidl', 'lidl'],
  ['Aldi', 'aldi'],
  ['Tesco', 'tesco'],
  ['Volkswagen / SEAT', 'volkswagen', 'seat'],
  ['Siemens', 'siemens'],
  ['Samsung', 'samsung'],
  ['Huawei', 'huawei'],
  ['Ferrovial', 'ferrovial'],
  ['ACS', 'acs'],
  ['Acciona', 'acciona'],
  ['Mapfre', 'mapfre'],
  ['Glovo', 'glovo'],
  ['Deliveroo', 'deliveroo'],
  ['Airbnb', 'airbnb'],
  ['TikTok', 'tiktok'],
  ['Spotify', 'spotify'],
  ['BlackRock', 'blackrock'],
  ['Goldman Sachs', 'goldmansachs'],
  ['JPMorgan Chase', 'jpmorgan', 'chase'],
  ['HSBC', 'hsbc'],
  ['Barclays', 'barclays'],
  ['Santander', 'santander'],
  ['BBVA', 'bbva'],
  ['CaixaBank', 'caixabank'],
  ['Deutsche Bank', 'deutschebank'],
  ['Citibank', 'citibank', 'citi'],
  ['Telefónica / Movistar', 'telefonica', 'movistar'],
  ['Vodafone', 'vodafone'],
  ['Boeing', 'boeing'],
  ['Lockheed Martin', 'lockheedmartin', 'lockheed'],
  ['Raytheon', 'raytheon'],
  ['Airbus', 'airbus'],
  ['Indra', 'indra'],
  ['Ryanair', 'ryanair'],
  ['Palantir', 'palantir'],
  ['World Bank', 'worldbank', 'bancomundial'],
  ['IMF', 'imf'],
  ['United Nations', 'unitednations', 'onu'],
  ['NATO / OTAN', 'nato', 'otan'],
  ['FIFA', 'fifa'],
  ['Olympics', 'olympics'],
];

export const ORGANISATIONS: Organisation[] = LIST.map(([name, ...stems]) => ({ name, stems }));

/** Stems that are also everyday words: in a text they name the organisation only when capitalised ("Shell", not "shell"). */
export const EVERYDAY_STEMS = new Set(['shell', 'apple', 'chase', 'coke', 'seat', 'indra', 'zara', 'uber', 'nike', 'tesla', 'mobil', 'vale', 'citi', 'europa', 'eni']);

/** Words a look-alike site uses to claim it is the real thing. */
/** Phrases that dress a text up as an organisation's own ("looks like a Vodafone bill"). */
export const LOOKALIKE_PHRASES = ['looks like', 'look like', 'made to look like', 'dressed up as', 'disguised as', 'parece', 'parecen', 'imita', 'imitan', 'copia de', 'disfrazad[oa]s? de'];
export const AUTHENTICITY_WORDS = ['official', 'officiel', 'real', 'true', 'genuine', 'authentic', 'original', 'oficial', 'verdadero', 'verdadera', 'autentico', 'autentica', 'legitimo', 'legitima'];
/** Words that make a domain look like part of a company's own service. */
export const SERVICE_WORDS = ['login', 'secure', 'support', 'account', 'careers', 'press', 'news', 'corporate', 'media', 'investors', 'help', 'soporte', 'cuenta', 'prensa', 'noticias', 'empleo', 'inversores', 'ayuda', 'sostenibilidad', 'sustainability', 'customers', 'clients', 'billing', 'clientes', 'atencion', 'oficina', 'factura', 'pagos', 'jobs', 'empleo', 'trabajo', 'portal', 'intranet', 'newsroom', 'store', 'tienda', 'donate', 'donaciones', 'empleados', 'staff', 'employees', 'acceso', 'seguro', 'segura', 'signin', 'verify', 'verificacion', 'banca', 'online', 'app', 'homepage', 'portada'];
