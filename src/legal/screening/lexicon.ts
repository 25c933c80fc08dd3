/**
 * What a lawyer would want to hear about, by category, in English and
 * Spanish. Terms are matched on accent-free lower case at word starts; a
 * trailing `*` matches any ending ("filtra*": filtrado, filtración, filtraciones).
 */
export type Category = 'spoof' | 'leak' | 'impersonation' | 'allegation' | 'marks';

export const LEXICON: Record<Category, { en: string[]; es: string[] }> = {
  spoof: {
    en: ['spoof*', 'parod*', 'satir*', 'fake press release*', 'fake ad*', 'fake website', 'fake site', 'fake annual report', 'fake report', 'hoax*', 'prank*', 'lampoon*', 'send-up', 'culture jam*', 'subvertis*', 'adbust*', 'mock ad*', 'mock website', 'mock-up of their', 'pastiche', 'yes men'],
    es: ['parodi*', 'satir*', 'burla*', 'falso comunicado', 'comunicado falso', 'comunicado de prensa falso', 'anuncio falso', 'anuncios falsos', 'web falsa', 'pagina falsa', 'sitio falso', 'informe falso', 'broma*', 'contrapublicidad', 'anuncio trucado', 'anuncios trucados', 'version satirica', 'imitacion burlesca'],
  },
  leak: {
    en: ['leaked*', 'leaks', 'wikileaks', 'leak reveals', 'leaks reveal', 'the leak', 'a leak of', 'whistleblow*', 'whistle-blow*', 'internal document*', 'internal memo*', 'internal email*', 'internal e-mail*', 'confidential document*', 'confidential report*', 'confidential memo*', 'confidential file*', 'confidential email*', 'confidential contract*', 'marked confidential', 'classified document*', 'classified file*', 'classified report*', 'secret document*', 'secret report*', 'documents obtained', 'obtained documents', 'insider document*', 'not meant to be public', 'never meant to be public', 'unredacted'],
    es: ['filtrad*', 'filtracion*', 'filtramos', 'filtraron', 'documentos internos', 'documento interno', 'correos internos', 'memorando interno', 'informe interno', 'documentos confidenciales', 'documento confidencial', 'informe confidencial', 'correos confidenciales', 'contratos confidenciales', 'marcado como confidencial', 'documentos clasificados', 'informacion clasificada', 'material clasificado', 'documentos secretos', 'informe secreto', 'denunciante*', 'alertador*', 'documentos obtenidos', 'sin censurar', 'nunca debieron ser publicos', 'no estaba destinado a hacerse publico'],
  },
  impersonation: {
    en: ['impersonat*', 'pose as', 'posing as', 'poses as', 'pretend to be', 'pretending to be', 'pretends to be', 'look like the official', 'looks like the official', 'looks exactly like', 'copy of their website', 'copy of the official', 'clone of', 'cloned', 'mimic*', 'as if we were', 'signed as', 'in their name', 'official-looking'],
    es: ['suplant*', 'hacernos pasar por', 'hacerse pasar por', 'haciendonos pasar por', 'se hace pasar por', 'nos hacemos pasar por', 'imita la web', 'imitando la web', 'imita la pagina', 'copia de la web', 'copia de su web', 'clon de', 'clonad*', 'como si fueramos', 'firmado como', 'parece la oficial', 'parece la web oficial', 'identica a la oficial', 'aspecto oficial'],
  },
  allegation: {
    en: ['corrupt*', 'fraud*', 'brib*', 'kickback*', 'criminals', 'criminal company', 'criminal acts', 'crimes', 'lie', 'lies', 'lied', 'liar*', 'lying', 'scam*', 'poison*', 'cover-up', 'covered up', 'covering up', 'accus*', 'alleg*', 'guilty', 'launder*', 'embezzl*', 'complicit', 'murder*', 'stole', 'stealing', 'theft', 'cheat*', 'deceiv*', 'deceptive', 'rigged', 'illegal*', 'abuser*', 'crook*', 'extort*', 'exploit workers', 'dump* toxic', 'racist', 'war criminal*'],
    es: ['corrupt*', 'corrupcion', 'fraude*', 'fraudulent*', 'sobor*', 'mordida*', 'criminales', 'delitos', 'delito de', 'delincuent*', 'miente*', 'mienten', 'mintio', 'mentira*', 'mentiros*', 'estafa*', 'envenen*', 'encubr*', 'acus*', 'culpable*', 'blanque*', 'malvers*', 'complice*', 'asesin*', 'roban', 'robaron', 'robado*', 'robo', 'robos', 'engan*', 'amanad*', 'ilegal*', 'abusador*', 'ladron*', 'extorsion*', 'explota a sus', 'vierte* toxic*', 'racista*', 'prevarica*', 'cohecho'],
  },
  marks: {
    en: ['logo', 'logos', 'trademark*', 'their brand', 'the brand', 'brand name*', 'brand identity', 'branding', 'their font', 'corporate font', 'mascot*', 'slogan*', 'jingle*', 'packaging', 'corporate identity', 'their colours', 'their colors', 'visual identity', 'copyrighted'],
    es: ['logo', 'logos', 'logotipo*', 'marca registrada', 'marcas registradas', 'su marca', 'la marca', 'imagen corporativa', 'identidad corporativa', 'identidad visual', 'tipografia corporativa', 'su tipografia', 'mascota de la marca', 'eslogan*', 'su envase', 'sus colores', 'derechos de autor'],
  },
};

/** Titles that make the next words a named person. */
export const TITLES = ['mayor', 'senator', 'minister', 'ceo', 'chairman', 'chairwoman', 'president', 'governor', 'councillor', 'councilor', 'judge', 'director', 'congressman', 'congresswoman', 'mp', 'alcalde', 'alcaldesa', 'ministro', 'ministra', 'senador', 'senadora', 'diputado', 'diputada', 'concejal', 'concejala', 'presidente', 'presidenta', 'gobernador', 'gobernadora', 'juez', 'jueza', 'directora', 'consejero', 'consejera', 'empresario', 'empresaria'];

/** Frequent Spanish words that English lacks, to pick the language of the reasons. */
export const SPANISH_MARKERS = ['el', 'la', 'los', 'las', 'de', 'del', 'que', 'y', 'en', 'una', 'por', 'para', 'con', 'nuestra', 'nuestro', 'sus', 'es', 'se', 'al', 'como', 'campana', 'vecinos', 'barrio'];
export const ENGLISH_MARKERS = ['the', 'of', 'and', 'to', 'in', 'our', 'for', 'with', 'is', 'on', 'we', 'a', 'an', 'their', 'this', 'campaign', 'neighbours', 'local'];
